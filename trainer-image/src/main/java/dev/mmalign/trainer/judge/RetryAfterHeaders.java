package dev.mmalign.trainer.judge;

import okhttp3.Interceptor;
import okhttp3.Response;

import java.io.IOException;

/**
 * Keeps the {@code Retry-After} header of the last failed HTTP response on the calling thread. google-genai 2.0.0's
 * {@code ApiException} keeps only the status and the error body, so the header is gone by the time the judge sees the
 * exception; the SDK's public {@code ClientOptions.customHttpClient} lets us put this interceptor in front of its own.
 * The SDK's synchronous calls run the interceptor chain on the calling thread ({@code Call.execute()}), so a
 * thread-local ties each header to the call that got it even with several annotate threads sharing one client.
 */
final class RetryAfterHeaders implements Interceptor {

    private final ThreadLocal<String> last = new ThreadLocal<>();

    @Override
    public Response intercept(Chain chain) throws IOException {
        last.remove();
        Response response = chain.proceed(chain.request());
        if (!response.isSuccessful()) {
            String header = response.header("Retry-After");
            if (header != null) last.set(header);
        }
        return response;
    }

    /** The header of this thread's last failed response (null if none), forgotten once read. */
    String take() {
        String value = last.get();
        last.remove();
        return value;
    }
}
