package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.FakeJudgeServer;
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;
import dev.mmalign.trainer.stage.StageFixture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/** Shared set-up of the MT-Bench and AlpacaEval protocol tests: the published fixture files and a scripted model. */
final class TextBenchmarkFixtures {

    private TextBenchmarkFixtures() {}

    /** One generate call as the model saw it. */
    record Call(Path image, List<ChatMessage> conversation, GenerationSettings settings) {}

    /** Answers by a rule on the last user turn; records every call; a context length and a prompt size if asked. */
    static final class RecordingModel implements PolicyModel {
        final Function<String, String> rule;
        final List<Call> calls = new ArrayList<>();
        int contextLength = Integer.MAX_VALUE;
        /** Positions per character of the conversation (a stand-in tokenizer). */
        int positionsPerChar = 0;

        RecordingModel(Function<String, String> rule) {
            this.rule = rule;
        }

        @Override
        public List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings settings) {
            calls.add(new Call(image, List.copyOf(conversation), settings));
            return List.of(rule.apply(conversation.get(conversation.size() - 1).content()));
        }

        @Override
        public int contextLength() {
            return contextLength;
        }

        @Override
        public int promptPositions(Path image, List<ChatMessage> conversation) {
            return positionsPerChar * conversation.stream().mapToInt(m -> m.content().length()).sum();
        }

        @Override
        public double logProb(Path image, String prompt, String response, boolean average) {
            return 0;
        }
    }

    /** Copies test resource folder {@code benchmarks/<name>} to {@code target}. */
    static Path copyResources(String name, Path target) {
        try {
            Path source = Path.of(TextBenchmarkFixtures.class.getResource("/benchmarks/" + name).toURI());
            try (Stream<Path> files = Files.walk(source)) {
                for (Path p : files.toList()) {
                    Path to = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(to);
                    else Files.copy(p, to);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static StageSpec suite(StageFixture fx, FakeJudgeServer judge, BenchmarkSpec... benchmarks) {
        StageSpec spec = fx.spec(StageName.evaluate, "suite");
        spec.models = new ArrayList<>(List.of(new ResolvedModel("base", "models/base", null)));
        spec.benchmarks = new ArrayList<>(List.of(benchmarks));
        if (judge != null) {
            spec.judge = new JudgeSpec();
            spec.judge.provider = JudgeProvider.OPENAI_COMPATIBLE;
            spec.judge.endpoint = judge.baseUrl() + "/v1";
            spec.judge.model = "gpt-4";
            spec.judge.maxRetries = 1;
        }
        return spec;
    }

    static BenchmarkSpec bench(BenchmarkName name, String dataPath) {
        BenchmarkSpec b = new BenchmarkSpec();
        b.name = name;
        b.dataPath = dataPath;
        return b;
    }
}
