package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment a container declares, resolved the way the kubelet does: {@code envFrom} first, then
 * {@code env} in order (later wins), {@code $(VAR)} references to earlier variables expanded ({@code $$} escapes),
 * and {@code valueFrom} read from the pod ({@code fieldRef}: metadata.name/namespace/uid, labels['k'],
 * annotations['k'], spec.nodeName, spec.serviceAccountName, status.podIP, status.hostIP) or from ConfigMaps and
 * Secrets through the API. {@code resourceFieldRef} is not supported locally (the variable is left out).
 */
final class ContainerEnv {

    private static final Logger LOG = Logger.getLogger(ContainerEnv.class);
    private static final Pattern REF = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");
    private static final Pattern MAP_KEY = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private final KubernetesClient client;

    ContainerEnv(KubernetesClient client) {
        this.client = client;
    }

    Map<String, String> resolve(Pod pod, Container c) throws IOException {
        String ns = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : orEmpty(c.getEnvFrom())) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                ConfigMap cm = client.configMaps().inNamespace(ns).withName(from.getConfigMapRef().getName()).get();
                if (cm == null) {
                    requireOptional(from.getConfigMapRef().getOptional(), "configMap " + from.getConfigMapRef().getName());
                } else if (cm.getData() != null) {
                    cm.getData().forEach((k, v) -> env.put(prefix + k, v));
                }
            } else if (from.getSecretRef() != null) {
                Secret s = client.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get();
                if (s == null) {
                    requireOptional(from.getSecretRef().getOptional(), "secret " + from.getSecretRef().getName());
                } else if (s.getData() != null) {
                    s.getData().forEach((k, v) -> env.put(prefix + k, decode(v)));
                }
            }
        }
        for (EnvVar var : orEmpty(c.getEnv())) {
            String value = var.getValueFrom() != null ? valueFrom(pod, var.getName(), var.getValueFrom())
                    : expand(var.getValue() == null ? "" : var.getValue(), env);
            if (value != null) {
                env.put(var.getName(), value);
            }
        }
        return env;
    }

    /** Kubernetes' dependent-variable expansion: $(NAME) of a defined variable, $$ for a literal $. */
    static String expand(String value, Map<String, String> defined) {
        Matcher m = REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                replacement = defined.getOrDefault(m.group(1), m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String valueFrom(Pod pod, String name, EnvVarSource src) throws IOException {
        String ns = pod.getMetadata().getNamespace();
        if (src.getFieldRef() != null) {
            return field(pod, src.getFieldRef().getFieldPath());
        }
        if (src.getConfigMapKeyRef() != null) {
            ConfigMap cm = client.configMaps().inNamespace(ns).withName(src.getConfigMapKeyRef().getName()).get();
            String v = cm == null || cm.getData() == null ? null : cm.getData().get(src.getConfigMapKeyRef().getKey());
            if (v == null) {
                requireOptional(src.getConfigMapKeyRef().getOptional(), "configMap key for " + name);
            }
            return v;
        }
        if (src.getSecretKeyRef() != null) {
            Secret s = client.secrets().inNamespace(ns).withName(src.getSecretKeyRef().getName()).get();
            String v = s == null || s.getData() == null ? null : s.getData().get(src.getSecretKeyRef().getKey());
            if (v == null) {
                requireOptional(src.getSecretKeyRef().getOptional(), "secret key for " + name);
                return null;
            }
            return decode(v);
        }
        LOG.warnf("env %s: this valueFrom is not supported locally; left unset", name);
        return null;
    }

    static String field(Pod pod, String path) throws IOException {
        switch (path) {
            case "metadata.name":
                return pod.getMetadata().getName();
            case "metadata.namespace":
                return pod.getMetadata().getNamespace();
            case "metadata.uid":
                return pod.getMetadata().getUid();
            case "spec.nodeName":
                return pod.getSpec().getNodeName();
            case "spec.serviceAccountName":
                return pod.getSpec().getServiceAccountName();
            case "status.podIP":
            case "status.hostIP":
                return "127.0.0.1";
            default:
                Matcher m = MAP_KEY.matcher(path);
                if (m.matches()) {
                    Map<String, String> map = m.group(1).equals("labels") ? pod.getMetadata().getLabels()
                            : pod.getMetadata().getAnnotations();
                    return map == null ? "" : map.getOrDefault(m.group(2), "");
                }
                throw new IOException("fieldRef " + path + " is not supported locally");
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static void requireOptional(Boolean optional, String what) throws IOException {
        if (!Boolean.TRUE.equals(optional)) {
            throw new IOException(what + " not found");
        }
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
