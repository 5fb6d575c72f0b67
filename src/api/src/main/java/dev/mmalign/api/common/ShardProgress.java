package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One shard's own progress in a sharded stage (one pod of an Indexed Job), as it last reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShardProgress {

    @JsonPropertyDescription("Units this shard has done.")
    public Long current;

    @JsonPropertyDescription("Units this shard has in all.")
    public Long total;

    @JsonPropertyDescription("This shard's estimated seconds to completion.")
    public Long etaSeconds;

    @JsonPropertyDescription("RFC 3339 time of this shard's last report.")
    public String updatedAt;

    public ShardProgress() {}
}
