package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.common.CredentialsSpec;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.common.SecretKeyRef;
import dev.mmalign.api.common.StorageSpec;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.GuideSpec;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.PreferenceDatasetSpec;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.operator.dataset.DatasetPlan;
import dev.mmalign.operator.jobs.StageJobBuilder;
import dev.mmalign.operator.jobs.StageJobRequest;
import dev.mmalign.operator.jobs.StageSpecConfigMapBuilder;
import dev.mmalign.operator.jobs.TrainerImage;
import dev.mmalign.operator.suite.SuitePlan;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pod contract end to end, across the three programs that must agree on it: the operator's Job builder and stage
 * spec planners build a real annotate, evaluate or sample Job; local mode's kubelet resolves that pod's volumes and
 * env from the API server (Secrets, ConfigMaps) as it does for every pod it runs; and the trainer, started as the
 * pod's own process with that env, builds its judge client and sends one request ({@code mmalign-trainer
 * judge-check}) to a local server speaking the judge's protocol (a sample pod runs the sample stage itself against
 * that server). Each side has its own unit tests; this one fails when the two halves disagree on a variable name or a
 * mount path (as the judge key and the annotation guide once did).
 */
class PodContractIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "team-a";
    private static final String API_KEY = "sk-contract-test";
    private static final String GUIDE = "Rate like a strict teacher: 4 only for flawless answers.";
    private static final String ACCESS_TOKEN = "ya29.contract-test";

    private static EmbeddedApiServer api;
    private static KubernetesClient client;
    private static JudgeServer judge;
    private static Path workDir;

    @BeforeAll
    static void start() throws Exception {
        api = EmbeddedApiServer.start(0);
        client = api.client();
        judge = new JudgeServer();
        workDir = TestPaths.repoRoot().resolve("local/target/pod-contract");
        ClaimPreparer.deleteTree(workDir);
    }

    @AfterAll
    static void stop() {
        judge.close();
        api.close();
    }

    /** Guards the OpenAI-compatible judge of an annotate pod: the key of the Secret the manifest names reaches the
     * trainer (as a Bearer token) and so does the labelling guide of the ConfigMap it names (as the system message). */
    @Test
    void annotatePodSendsTheSecretsKeyAndTheConfigMapsGuide() throws Exception {
        client.resource(new SecretBuilder().withNewMetadata().withName("judge-api-key").withNamespace(NS)
                .endMetadata().addToStringData("api-key", API_KEY + "\n").build()).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("team-guide").withNamespace(NS)
                .endMetadata().addToData("guide.md", GUIDE).addToData("other.md", "not for the judge").build())
                .create();
        AnnotationSpec annotation = new AnnotationSpec();
        annotation.provider = JudgeProvider.OPENAI_COMPATIBLE;
        annotation.endpoint = judge.url() + "/v1";
        annotation.model = "contract-judge";
        annotation.credentials = secret("judge-api-key", "api-key");
        annotation.guide = new GuideSpec();
        annotation.guide.configMapName = "team-guide";
        annotation.guide.key = "guide.md";
        PreferenceDataset ds = dataset("prefs-openai", annotation);

        int before = judge.requests.size();
        Launched run = runJudgeCheck(ds, StageName.annotate,
                DatasetPlan.stageSpec(ds, StageName.annotate, 1, null, stdoutProgress()), annotation);

        assertEquals(0, run.exitCode(), run.output());
        JudgeServer.Request request = judge.requests.get(before);
        assertEquals("/v1/chat/completions", request.path());
        assertEquals("Bearer " + API_KEY, request.authorization());
        assertEquals(GUIDE, request.body().path("messages").path(0).path("content").asText());
        assertFalse(run.output().contains(API_KEY), "the key is never printed");
    }

    /** Guards the Vertex judge: the service-account key file the operator mounts is the one the trainer signs with
     * (exchanged at the key's token endpoint for the access token that authorises :generateContent). */
    @Test
    void annotatePodAuthenticatesToVertexWithTheMountedKeyFile() throws Exception {
        client.resource(new SecretBuilder().withNewMetadata().withName("vertex-key").withNamespace(NS)
                .endMetadata().addToStringData("key.json", judge.serviceAccountKey()).build()).create();
        AnnotationSpec annotation = new AnnotationSpec();
        annotation.provider = JudgeProvider.VERTEX_GEMINI;
        annotation.project = "contract-project";
        annotation.location = "us-central1";
        annotation.model = "gemini-test";
        annotation.endpoint = judge.url();
        annotation.credentials = secret("vertex-key", "key.json");
        PreferenceDataset ds = dataset("prefs-vertex", annotation);

        int tokensBefore = judge.tokenRequests.size();
        int before = judge.requests.size();
        Launched run = runJudgeCheck(ds, StageName.annotate,
                DatasetPlan.stageSpec(ds, StageName.annotate, 1, null, stdoutProgress()), annotation);

        assertEquals(0, run.exitCode(), run.output());
        assertEquals(tokensBefore + 1, judge.tokenRequests.size(), "one token exchange with the mounted key");
        JudgeServer.Request request = judge.requests.get(before);
        assertTrue(request.path().endsWith("/models/gemini-test:generateContent"), request.path());
        assertTrue(request.path().contains("/projects/contract-project/locations/us-central1/"), request.path());
        assertEquals("Bearer " + ACCESS_TOKEN, request.authorization());
    }

    /** Guards the judge of judge-scored benchmarks: an evaluate pod gets the suite judge's key (and no guide). */
    @Test
    void evaluatePodSendsTheSuiteJudgesKey() throws Exception {
        client.resource(new SecretBuilder().withNewMetadata().withName("bench-judge-key").withNamespace(NS)
                .endMetadata().addToStringData("token", API_KEY).build()).create();
        BenchmarkSuite suite = new BenchmarkSuite();
        suite.getMetadata().setName("table2");
        suite.getMetadata().setNamespace(NS);
        suite.getMetadata().setUid("uid-table2");
        BenchmarkSuiteSpec spec = new BenchmarkSuiteSpec();
        spec.storage = new StorageSpec("data", null);
        spec.judge = new JudgeSpec();
        spec.judge.provider = JudgeProvider.OPENAI_COMPATIBLE;
        spec.judge.endpoint = judge.url() + "/v1";
        spec.judge.model = "gpt-4";
        spec.judge.credentials = secret("bench-judge-key", "token");
        suite.setSpec(spec);

        int before = judge.requests.size();
        StageSpec stageSpec = SuitePlan.evaluateSpec(suite, 1, new ResolvedModel("base", "models/base", null),
                stdoutProgress());
        Launched run = runJudgeCheck(suite, StageName.evaluate, stageSpec, spec.judge);

        assertEquals(0, run.exitCode(), run.output());
        assertEquals("Bearer " + API_KEY, judge.requests.get(before).authorization());
        assertFalse(run.env().containsKey("MMALIGN_JUDGE_GUIDE_FILE"));
    }

    /** Guards the sampling endpoint's key (sampling.endpoint.apiKeySecret): the sample pod the operator builds, as
     * local mode's kubelet resolves it, runs the real sample stage, which sends the Secret's key to the endpoint as a
     * Bearer token and writes the completions; the key is never printed. */
    @Test
    void samplePodSendsTheEndpointsKeyFromTheSecret() throws Exception {
        client.resource(new SecretBuilder().withNewMetadata().withName("vllm-api-key").withNamespace(NS)
                .endMetadata().addToStringData("token", API_KEY + "\n").addToStringData("other", "not this").build())
                .create();
        PreferenceDataset ds = dataset("prefs-vllm", null);
        ds.getSpec().sampling = new SamplingSpec();
        ds.getSpec().sampling.model = ModelSource.ofPath("models/base");
        ds.getSpec().sampling.completionsPerPrompt = 2;
        ds.getSpec().sampling.endpoint = new SamplingEndpointSpec();
        ds.getSpec().sampling.endpoint.url = judge.url() + "/v1";
        ds.getSpec().sampling.endpoint.model = "llava-hf/llava-1.5-7b-hf";
        ds.getSpec().sampling.endpoint.useN = false; // the contract server answers one choice per request
        ds.getSpec().sampling.endpoint.apiKeySecret = new SecretKeyRef();
        ds.getSpec().sampling.endpoint.apiKeySecret.name = "vllm-api-key";
        ds.getSpec().sampling.endpoint.apiKeySecret.key = "token";
        Path claim = workDir.resolve("volumes").resolve(NS).resolve("data");
        Files.createDirectories(claim.resolve("images"));
        Files.writeString(claim.resolve("prompts.jsonl"), "{\"id\":\"q1\",\"question\":\"What is 2 plus 2?\"}\n");

        int before = judge.requests.size();
        StageSpec stageSpec = DatasetPlan.stageSpec(ds, StageName.sample, 1,
                new ResolvedModel("policy", "models/base", null), stdoutProgress());
        StageJobRequest request = StageJobRequest.builder(ds, StageName.sample, "prefs-vllm-sample-1",
                new StorageSpec("data", null), "prefs-vllm-progress").samplingEndpoint(ds.getSpec().sampling.endpoint)
                .build();
        Launched run = runPod(request, stageSpec, null);

        assertEquals(0, run.exitCode(), run.output());
        List<JudgeServer.Request> sent = judge.requests.subList(before, judge.requests.size());
        assertEquals(2, sent.size(), "two completions, one request each");
        for (JudgeServer.Request r : sent) {
            assertEquals("/v1/chat/completions", r.path());
            assertEquals("Bearer " + API_KEY, r.authorization());
            assertEquals("llava-hf/llava-1.5-7b-hf", r.body().path("model").asText());
        }
        assertEquals(2, Files.readAllLines(claim.resolve(stageSpec.paths.outputDir)
                .resolve("completions-00000-of-00001.jsonl")).size());
        assertFalse(run.output().contains(API_KEY), "the key is never printed");
    }

    // ---- the three programs ------------------------------------------------------------------------------------

    private record Launched(int exitCode, String output, Map<String, String> env) {}

    /**
     * The operator's Job and stage-spec ConfigMap for {@code stage} of {@code owner}, stored in the API server; local
     * mode's pod of it, prepared as its kubelet prepares every pod; that pod's process run as
     * {@code judge-check} instead of the stage itself (same program, env, mounts and spec).
     */
    private static Launched runJudgeCheck(HasMetadata owner, StageName stage, StageSpec stageSpec, JudgeSpec judgeSpec)
            throws Exception {
        String jobName = owner.getMetadata().getName() + "-" + stage + "-1";
        StageJobRequest request = StageJobRequest.builder(owner, stage, jobName, new StorageSpec("data", null),
                owner.getMetadata().getName() + "-progress").judge(judgeSpec).build();
        return runPod(request, stageSpec, "judge-check");
    }

    /**
     * The pod of {@code request}'s Job, run as local mode runs it; with {@code replacement}, that command instead of
     * the stage (same program, env, mounts and spec).
     */
    private static Launched runPod(StageJobRequest request, StageSpec stageSpec, String replacement)
            throws Exception {
        StageName stage = request.stage();
        String jobName = request.jobName();
        client.resource(StageSpecConfigMapBuilder.build(request, stageSpec)).create();
        Job job = new StageJobBuilder(new TrainerImage("mmalign-trainer:test", "IfNotPresent", 1000)).build(request);
        Pod pod = PodFactory.newPod(job, 0, Instant.now().toString());

        LocalExecutorConfig config = LocalExecutorConfig.defaults(TestPaths.repoRoot(), workDir);
        assertTrue(Files.isRegularFile(config.trainerJar()), "trainer jar built before local's verify: "
                + config.trainerJar());
        PodLauncher.Launch launch = new PodLauncher(client, config).prepare(pod);

        List<String> command = new ArrayList<>(launch.command());
        int stageArg = command.indexOf(stage.name());
        assertTrue(stageArg > 0, "the pod runs the " + stage + " stage: " + command);
        if (replacement != null) {
            command.set(stageArg, replacement);
            command.addAll(List.of("--stage", stage.name()));
        }

        Path output = workDir.resolve(jobName + ".out");
        ProcessBuilder pb = new ProcessBuilder(command).directory(launch.workingDir().toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().clear();
        pb.environment().putAll(launch.env());
        Process process = pb.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new Launched(process.isAlive() ? -1 : process.exitValue(), Files.readString(output), launch.env());
    }

    private static PreferenceDataset dataset(String name, AnnotationSpec annotation) {
        PreferenceDataset ds = new PreferenceDataset();
        ds.getMetadata().setName(name);
        ds.getMetadata().setNamespace(NS);
        ds.getMetadata().setUid("uid-" + name);
        PreferenceDatasetSpec spec = new PreferenceDatasetSpec();
        spec.storage = new StorageSpec("data", null);
        spec.prompts = new PromptsSpec();
        spec.prompts.path = "prompts.jsonl";
        spec.annotation = annotation;
        ds.setSpec(spec);
        return ds;
    }

    private static CredentialsSpec secret(String name, String key) {
        CredentialsSpec credentials = new CredentialsSpec();
        credentials.secretRef = new SecretKeyRef();
        credentials.secretRef.name = name;
        credentials.secretRef.key = key;
        return credentials;
    }

    private static ProgressReporting stdoutProgress() {
        ProgressReporting p = new ProgressReporting();
        p.mode = ProgressReporting.Mode.stdout;
        return p;
    }

    /**
     * A judge on 127.0.0.1 speaking OpenAI's {@code /chat/completions}, Vertex AI's {@code :generateContent} and
     * Google's OAuth token endpoint (a JWT-bearer grant in, an access token out); it records what it was sent.
     */
    static final class JudgeServer implements AutoCloseable {

        record Request(String path, String authorization, JsonNode body) {}

        final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
        final List<String> tokenRequests = Collections.synchronizedList(new ArrayList<>());
        private final HttpServer server;

        JudgeServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        /** A service-account key file (fresh RSA key) whose token endpoint is this server. */
        String serviceAccountKey() throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            ObjectNode key = JSON.createObjectNode();
            key.put("type", "service_account").put("project_id", "contract-project").put("private_key_id", "k1")
                    .put("private_key", pem).put("client_email", "judge@contract-project.iam.gserviceaccount.com")
                    .put("client_id", "1").put("token_uri", url() + "/token");
            return key.toString();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                ObjectNode answer = JSON.createObjectNode();
                if (path.equals("/token")) {
                    tokenRequests.add(body);
                    answer.put("access_token", ACCESS_TOKEN).put("expires_in", 3600).put("token_type", "Bearer");
                } else if (path.endsWith("/chat/completions")) {
                    requests.add(new Request(path, exchange.getRequestHeaders().getFirst("Authorization"),
                            JSON.readTree(body)));
                    answer.putArray("choices").addObject().put("index", 0).putObject("message")
                            .put("role", "assistant").put("content", "OK");
                    answer.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", 1);
                } else {
                    requests.add(new Request(path, exchange.getRequestHeaders().getFirst("Authorization"),
                            JSON.readTree(body)));
                    ObjectNode candidate = answer.putArray("candidates").addObject();
                    candidate.putObject("content").put("role", "model").putArray("parts").addObject()
                            .put("text", "OK");
                    candidate.put("finishReason", "STOP");
                    answer.putObject("usageMetadata").put("promptTokenCount", 12).put("candidatesTokenCount", 1)
                            .put("totalTokenCount", 13);
                }
                byte[] bytes = answer.toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
