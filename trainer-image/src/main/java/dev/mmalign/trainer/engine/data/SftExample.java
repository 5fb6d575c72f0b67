package dev.mmalign.trainer.engine.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** One line of an SFT examples file (DESIGN.md §5). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SftExample(String id, List<String> images, String prompt, String completion) {}
