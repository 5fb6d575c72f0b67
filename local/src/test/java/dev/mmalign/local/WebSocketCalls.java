package dev.mmalign.local;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Sits between the Fabric8 client's Vert.x HTTP client and Vert.x ({@code VertxHttpClientFactory(vertx)}), to see
 * and to shape the one call the websocket race is about: Fabric8's {@code VertxHttpClient.buildWebSocketDirect}
 * calls {@code HttpClient.webSocket(options)} and only then attaches, to the future it got, the listener that sets
 * the websocket's message handlers. Vert.x resumes the websocket (paused while the upgrade completed) in a listener
 * of its own that runs before, whether or not a later one is attached yet; frames read after that resume and before
 * the handlers are set are dropped ({@code WebSocketImplBase.receiveFrame} with no handler). Fabric8 attaches its
 * listener a moment after the call returns; if the upgrade and the server's first frames complete in that moment
 * (the calling thread lost its CPU), those frames are lost.
 *
 * <p>{@link #observing} counts the calling threads by kind (a Vert.x event loop thread, on which the upgrade cannot
 * complete before the caller attaches its listener, or any other thread, on which it can). {@link #withHeldReturn}
 * makes the race's losing side happen every time: {@code webSocket(options)} returns only once the upgrade is done and
 * {@code frames} frames have been read, as if the calling thread had lost its CPU for that long.
 */
final class WebSocketCalls {

    private final Map<String, AtomicInteger> byThreadKind = new ConcurrentHashMap<>();
    /** For each call (in order), how long after {@code webSocket(options)} returned its websocket was open (ns). */
    private final java.util.Queue<Long> margins = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private UnaryOperator<Future<WebSocket>> onReturn = f -> f;

    /** Holds each {@code webSocket(options)} call until its websocket is open and has read {@code frames} frames. */
    WebSocketCalls withHeldReturn(int frames) {
        onReturn = future -> {
            java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(frames);
            // Attached at once (before Fabric8's listener), so it runs right after Vert.x's resume: a frame handler
            // sees every frame, whether or not a message handler is set (Fabric8 7.3 sets none).
            future.onSuccess(ws -> ws.frameHandler(frame -> read.countDown()));
            try {
                if (!read.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the websocket read fewer than " + frames + " frames in 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return future;
        };
        return this;
    }

    /** {@code vertx}, whose HTTP clients pass their websocket calls through this object. */
    Vertx observing(Vertx vertx) {
        return proxy(Vertx.class, vertx, (method, args) -> {
            Object result = method.invoke(vertx, args);
            return "createHttpClient".equals(method.getName()) && result instanceof HttpClient client
                    ? observed(client) : result;
        });
    }

    /** Calls to {@code webSocket(options)} so far, by the kind of thread they came from. */
    Map<String, Integer> byThreadKind() {
        Map<String, Integer> counts = new TreeMap<>();
        byThreadKind.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    /**
     * How long after each {@code webSocket(options)} call returned its websocket was open, in ms, in call order
     * (0: open already when the call returned). The caller attaches its handlers within this margin or loses frames.
     */
    java.util.List<Double> openedAfterReturnMs() {
        return margins.stream().map(ns -> ns / 1e6).toList();
    }

    @SuppressWarnings("unchecked")
    private HttpClient observed(HttpClient client) {
        return proxy(HttpClient.class, client, (method, args) -> {
            boolean webSocket = "webSocket".equals(method.getName()) && args != null && args.length == 1
                    && args[0] instanceof WebSocketConnectOptions;
            if (webSocket) {
                byThreadKind.computeIfAbsent(threadKind(), k -> new AtomicInteger()).incrementAndGet();
            }
            Object result = method.invoke(client, args);
            if (!webSocket) {
                return result;
            }
            Future<WebSocket> future = (Future<WebSocket>) result;
            long returned = System.nanoTime();
            if (future.isComplete()) {
                margins.add(0L); // open before the caller could attach anything: its first frames are lost
            } else {
                future.onComplete(done -> margins.add(Math.max(1L, System.nanoTime() - returned)));
            }
            return onReturn.apply(future);
        });
    }

    private static String threadKind() {
        if (Context.isOnEventLoopThread()) {
            return "vertx-event-loop";
        }
        if (Context.isOnVertxThread()) {
            return "vertx-other";
        }
        String name = Thread.currentThread().getName();
        return "other(" + name.replaceAll("[-_ ]?\\d+", "") + ")";
    }

    private interface Call {
        Object invoke(Method method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, T target, Call call) {
        InvocationHandler handler = (p, method, args) -> {
            try {
                return call.invoke(method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(WebSocketCalls.class.getClassLoader(), new Class<?>[] {type},
                handler));
    }
}
