package dev.mmalign.trainer.engine.data;

/**
 * The LLaVA-1.5 chat template as used by llava-hf: {@code USER: <image>\n{prompt} ASSISTANT:} followed by
 * {@code " " + response} and EOS. A prompt that already contains {@code <image>} is left as it is.
 */
public final class PromptFormat {
    public static final String IMAGE = "<image>";

    private PromptFormat() {}

    public static String prompt(String question, boolean hasImage) {
        String body = hasImage && !question.contains(IMAGE) ? IMAGE + "\n" + question : question;
        return "USER: " + body + " ASSISTANT:";
    }

    public static String response(String text) {
        return " " + text.strip();
    }
}
