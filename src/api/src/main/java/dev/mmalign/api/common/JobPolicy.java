package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Retry and time limits applied to every stage Job of a resource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JobPolicy {

    @Default("3")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Retries of a failed stage pod (Job backoffLimit). Exit codes 2 (invalid input) and 3 "
            + "(budget exhausted) fail at once; node disruptions and preemptions do not count.")
    public Integer backoffLimit = 3;

    @Min(60)
    @JsonPropertyDescription("Wall-clock limit of one stage Job in seconds (Job activeDeadlineSeconds). Unset: no limit.")
    public Long activeDeadlineSeconds;

    @Default("604800")
    @Min(0)
    @JsonPropertyDescription("Seconds a finished stage Job is kept before Kubernetes deletes it (ttlSecondsAfterFinished).")
    public Integer ttlSecondsAfterFinished = 604800;

    public JobPolicy() {}
}
