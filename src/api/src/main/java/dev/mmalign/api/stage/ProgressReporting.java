package dev.mmalign.api.stage;

import com.fasterxml.jackson.annotation.JsonInclude;

/** How the stage pod reports live progress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProgressReporting {

    /** Where reports go. */
    public enum Mode {
        /** Patch .status.progress of the owner through the status subresource (in a cluster). */
        kubernetes,
        /** Append JSON lines to a file (local mode, tests). */
        file,
        /** Print JSON lines to standard output. */
        stdout
    }

    public Mode mode = Mode.stdout;
    /** Least seconds between two reports. */
    public Integer intervalSeconds = 10;
    /** With mode file: the file, relative to the storage root. */
    public String file;

    public ProgressReporting() {}
}
