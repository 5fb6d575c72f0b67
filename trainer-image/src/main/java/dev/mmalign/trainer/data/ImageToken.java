package dev.mmalign.trainer.data;

/**
 * LLaVA's image placeholder. LLaVA-format data marks where the image goes with {@code <image>} in the human turn,
 * usually as {@code "<image>\nquestion"} and sometimes as {@code "question\n<image>"}; our prompts carry the image
 * as a field and the question without the token.
 */
public final class ImageToken {

    /** LLaVA's {@code DEFAULT_IMAGE_TOKEN}. */
    public static final String TOKEN = "<image>";

    private ImageToken() {}

    /**
     * The question without the token. The stated rule: every {@code <image>} is removed together with one newline
     * right after it, or else one right before it; then leading and trailing whitespace is trimmed. So
     * {@code "<image>\nWhat is it?"}, {@code "What is it?\n<image>"} and {@code "What is it?"} all give
     * {@code "What is it?"}; newlines inside the question are kept.
     */
    public static String strip(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(text);
        int at;
        while ((at = out.indexOf(TOKEN)) >= 0) {
            int end = at + TOKEN.length();
            if (end < out.length() && out.charAt(end) == '\n') {
                end++;
            } else if (at > 0 && out.charAt(at - 1) == '\n') {
                at--;
            }
            out.delete(at, end);
        }
        return out.toString().strip();
    }

    /** The human turn LLaVA's training code expects: the token, a newline, then the question. */
    public static String prefixed(String question) {
        return TOKEN + "\n" + question;
    }
}
