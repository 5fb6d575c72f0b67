package dev.mmalign.trainer.cli;

import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PaperDpoPairs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Converts DPO pairs between the paper's JSON (the mllm-dpo code's training file, {@link PaperDpoPairs}) and our
 * pair JSONL, which an AlignmentRun reads through {@code dataset.path}. Exit 0 on success, 2 on bad input naming the
 * file and the record.
 */
@Command(name = "pairs", mixinStandardHelpOptions = true,
        description = "Import or export DPO pairs in the paper's (mllm-dpo) JSON format.",
        subcommands = {PairsCommand.Import.class, PairsCommand.Export.class})
public final class PairsCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Shared failure handling: bad input is exit 2 with the message, as in the stages. */
    static int guarded(PrintStream err, Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (InvalidInputException e) {
            err.println("pairs: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Paper JSON -> our DPO pair JSONL (keeps ref_win_logp/ref_rej_logp as the reference "
                    + "log-probs).")
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", description = "The paper's pair JSON (a JSON array).")
        Path in;
        @Parameters(index = "1", description = "Our pair JSONL to write.")
        Path out;
        @Option(names = "--image-folder", description = "Folder, relative to the storage root, the records' image "
                + "names are in; pair images are written as <folder>/<name>.")
        String imageFolder;

        @Override
        public Integer call() throws Exception {
            return guarded(System.err, () -> {
                List<DpoPairRecord> pairs = PaperDpoPairs.read(in, imageFolder);
                AtomicFiles.writeJsonl(out, pairs);
                System.out.println("pairs: imported " + pairs.size() + " pairs ("
                        + pairs.stream().filter(DpoPairRecord::hasReference).count()
                        + " with reference log-probs) to " + out);
                return ExitCodes.SUCCESS;
            });
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Our DPO pair JSONL -> the paper's pair JSON.")
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", description = "Our pair JSONL (e.g. a dataset's dpo set).")
        Path in;
        @Parameters(index = "1", description = "The paper's pair JSON to write.")
        Path out;
        @Option(names = "--image-folder", description = "Write image paths relative to this folder (their loader "
                + "joins names to its image folder).")
        String imageFolder;

        @Override
        public Integer call() throws Exception {
            return guarded(System.err, () -> {
                List<DpoPairRecord> pairs = JsonlReader.readAll(in, DpoPairRecord.class, PairsCommand::problem);
                PaperDpoPairs.write(pairs, out, imageFolder);
                System.out.println("pairs: exported " + pairs.size() + " pairs to " + out);
                return ExitCodes.SUCCESS;
            });
        }
    }

    static String problem(DpoPairRecord p) {
        if (p.id() == null || p.prompt() == null || p.chosen() == null || p.rejected() == null) {
            return "a pair needs id, prompt, chosen and rejected";
        }
        return null;
    }
}
