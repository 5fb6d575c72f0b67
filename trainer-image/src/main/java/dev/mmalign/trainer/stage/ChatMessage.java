package dev.mmalign.trainer.stage;

/** One turn of a conversation given to the policy model; role is "user" or "assistant". */
public record ChatMessage(String role, String content) {

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
