package dev.mmalign.trainer.data;

import java.nio.file.Path;

/**
 * Input or configuration that no retry can fix (a bad JSONL line, a missing image, an unknown value). The stage
 * runner turns it into exit code 2. The message always names the file and, where there is one, the line.
 */
public class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
    }

    public InvalidInputException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public InvalidInputException(Path file, long line, String problem, Throwable cause) {
        super(file + ":" + line + ": " + problem, cause);
    }
}
