package dev.mmalign.trainer.stage;

import java.util.List;

/**
 * Flattens a multi-turn conversation into the one question string the engine wraps in the LLaVA-1.5 template
 * ({@code USER: <image>\n{question} ASSISTANT:}). Earlier turns are written in that same template, so the engine's
 * wrapping completes it: {@code USER: <image>\nQ1 ASSISTANT: A1</s>USER: Q2 ASSISTANT:} (llava-hf / vicuna_v1).
 * The image, if any, belongs to the first user turn; the engine puts {@code <image>} in front of the string.
 */
public final class ConversationPrompt {

    /** Separator after an assistant turn in the vicuna_v1 template. */
    static final String TURN_END = "</s>";

    private ConversationPrompt() {}

    public static String flatten(List<ChatMessage> conversation) {
        if (conversation == null || conversation.isEmpty()) {
            throw new IllegalArgumentException("empty conversation");
        }
        ChatMessage last = conversation.get(conversation.size() - 1);
        if (!"user".equals(last.role())) {
            throw new IllegalArgumentException("the conversation must end with a user turn, not " + last.role());
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < conversation.size(); i++) {
            ChatMessage m = conversation.get(i);
            switch (m.role()) {
                // The engine adds "USER: " before the whole string, so only later user turns get the prefix here.
                case "user" -> text.append(i == 0 ? "" : "USER: ").append(m.content().strip());
                case "assistant" -> text.append(" ASSISTANT: ").append(m.content().strip()).append(TURN_END);
                default -> throw new IllegalArgumentException("unknown role " + m.role());
            }
        }
        return text.toString();
    }
}
