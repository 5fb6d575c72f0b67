package dev.mmalign.trainer.judge;

/**
 * One call to a judge model: a system instruction (null: none is sent), a user text, an optional image, the answer
 * format (null for free text, e.g. benchmark judging) and the sampling parameters.
 */
public record JudgeRequest(String system, String user, byte[] image, String imageMimeType, RatingFormat format,
                           JudgeParameters parameters) {

    /** A request with annotation's parameters (temperature 0, no token cap). */
    public JudgeRequest(String system, String user, byte[] image, String imageMimeType, RatingFormat format) {
        this(system, user, image, imageMimeType, format, JudgeParameters.ANNOTATION);
    }

    public JudgeRequest {
        if (parameters == null) {
            parameters = JudgeParameters.ANNOTATION;
        }
    }
}
