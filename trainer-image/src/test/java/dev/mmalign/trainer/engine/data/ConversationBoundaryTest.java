package dev.mmalign.trainer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.trainer.engine.tokenizer.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards that prompt and response are tokenised as the whole conversation is, with SentencePiece-style tokenizers as
 * LLaMA's tokenizer.json has them: the legacy form (llava-hf's LLaMA-2/Vicuna tokenizer: a normaliser that prepends
 * "▁" to every text and turns spaces into "▁"), under which the response " Yes." encoded on its own starts with an
 * extra "▁" token that the conversation never has, and the Metaspace pre-tokenizer of newer conversions.
 */
class ConversationBoundaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUESTION = "What is it?";
    private static final String ANSWER = "Yes.";
    @TempDir Path dir;
    private final List<String> vocabById = new ArrayList<>();

    /**
     * A BPE tokenizer.json with a character vocabulary for the test's texts and the given merges in rank order; spaces
     * become "▁" either by LLaMA's legacy normaliser (Prepend "▁", Replace " " by "▁") or by a Metaspace
     * pre-tokenizer ("▁" prepended to the first word only, no splitting).
     */
    private Path tokenizer(List<String> merges, boolean legacyNormalizer) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<unk>", "<s>", "</s>", "<image>"};
        for (int i = 0; i < specials.length; i++) {
            added.addObject().put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        ObjectNode meta = JSON.createObjectNode();
        meta.put("type", "Metaspace").put("replacement", "▁").put("prepend_scheme", "first").put("split", false);
        if (legacyNormalizer) {
            ObjectNode normalizer = root.putObject("normalizer");
            normalizer.put("type", "Sequence");
            ArrayNode steps = normalizer.putArray("normalizers");
            steps.addObject().put("type", "Prepend").put("prepend", "▁");
            ObjectNode replace = steps.addObject().put("type", "Replace");
            replace.putObject("pattern").put("String", " ");
            replace.put("content", "▁");
            root.putNull("pre_tokenizer");
        } else {
            root.putNull("normalizer");
            root.set("pre_tokenizer", meta);
        }
        root.putNull("post_processor");
        root.set("decoder", meta.deepCopy());
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.put("unk_token", "<unk>").putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true).put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < specials.length; i++) {
            vocab.put(specials[i], i);
        }
        TreeSet<String> pieces = new TreeSet<>();
        String text = PromptFormat.prompt(QUESTION, false) + PromptFormat.response(ANSWER);
        text.replace(' ', '▁').codePoints().forEach(c -> pieces.add(new String(Character.toChars(c))));
        pieces.add("▁");
        for (String merge : merges) {
            pieces.add(merge.replace(" ", ""));
        }
        int id = specials.length;
        vocabById.clear();
        vocabById.addAll(List.of(specials));
        for (String piece : pieces) {
            vocab.put(piece, id++);
            vocabById.add(piece);
        }
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    private static int[] conversation(HfTokenizer tok) {
        int[] whole = tok.encode(PromptFormat.prompt(QUESTION, false) + PromptFormat.response(ANSWER));
        return IntStream.concat(IntStream.concat(IntStream.of(tok.bosId()), Arrays.stream(whole)),
                IntStream.of(tok.eosId())).toArray();
    }

    @Test
    void responseIdsAreThoseOfTheWholeConversation() throws Exception {
        try (HfTokenizer tok = new HfTokenizer(tokenizer(List.of("Y e", "Ye s", "▁ Yes"), true), 1, 2, 0, 3, 64)) {
            int[] prompt = tok.encode(PromptFormat.prompt(QUESTION, false));
            int[] alone = tok.encode(PromptFormat.response(ANSWER));
            int[] whole = conversation(tok);
            // The failure this guards: on its own the response begins with a bare "▁" the conversation lacks.
            assertArrayEquals(new String[] {"▁", "▁Yes", "."}, pieces(alone));
            assertEquals(prompt.length + alone.length - 1, whole.length - 2, "one token fewer in the conversation");

            EncodedExample e = EncodedExample.of(tok, QUESTION, ANSWER, null, 0, 512, true);
            assertArrayEquals(whole, e.ids());
            assertEquals(1 + prompt.length, e.responseStart());
            assertArrayEquals(new String[] {"▁Yes", "."},
                    pieces(Arrays.copyOfRange(e.ids(), e.responseStart(), e.ids().length - 1)));
        }
    }

    @Test
    void aTokenMergedAcrossTheBoundaryStartsTheResponse() throws Exception {
        // ":▁" outranks "▁Yes": the conversation merges the prompt's last ":" with the response's space.
        try (HfTokenizer tok = new HfTokenizer(tokenizer(List.of(": ▁", "Y e", "Ye s", "▁ Yes"), true), 1, 2, 0, 3,
                64)) {
            int[] prompt = tok.encode(PromptFormat.prompt(QUESTION, false));
            EncodedExample e = EncodedExample.of(tok, QUESTION, ANSWER, null, 0, 512, true);
            assertArrayEquals(conversation(tok), e.ids());
            // As TRL: the response starts one token earlier, at the merged token, so every response token is scored.
            assertEquals(prompt.length, e.responseStart());
            assertArrayEquals(new String[] {":▁", "Yes", "."},
                    pieces(Arrays.copyOfRange(e.ids(), e.responseStart(), e.ids().length - 1)));
        }
    }

    @Test
    void metaspaceTokenizerGivesTheWholeConversationToo() throws Exception {
        try (HfTokenizer tok = new HfTokenizer(tokenizer(List.of("Y e", "Ye s", "▁ Yes"), false), 1, 2, 0, 3, 64)) {
            EncodedExample e = EncodedExample.of(tok, QUESTION, ANSWER, null, 0, 512, true);
            assertArrayEquals(conversation(tok), e.ids());
            assertArrayEquals(new String[] {"▁Yes", "."},
                    pieces(Arrays.copyOfRange(e.ids(), e.responseStart(), e.ids().length - 1)));
        }
    }

    /**
     * Whether a pair's responses fit maxLength whole (the train stage's check before reusing stored reference
     * log-probs) counts the positions the training sequence really has: the response counted on its own would add the
     * "▁" the conversation lacks, one position too many.
     */
    @Test
    void conversationPositionsAreThoseOfTheTrainingSequence() throws Exception {
        try (HfTokenizer tok = new HfTokenizer(tokenizer(List.of("Y e", "Ye s", "▁ Yes"), true), 1, 2, 0, 3, 64)) {
            EncodedExample e = EncodedExample.of(tok, QUESTION, ANSWER, null, 0, 512, true);
            int positions = EncodedExample.conversationPositions(tok, QUESTION, ANSWER, false, 0);
            assertEquals(e.ids().length, positions);
            int separately = EncodedExample.promptPositions(tok, QUESTION, false, 0)
                    + tok.encode(PromptFormat.response(ANSWER)).length + 1;
            assertEquals(positions + 1, separately, "the old count, response alone, is one too many");
            // A maxLength of exactly the conversation keeps the whole response (with EOS): nothing is cut.
            EncodedExample exact = EncodedExample.of(tok, QUESTION, ANSWER, null, 0, positions, true);
            assertArrayEquals(e.ids(), exact.ids());
        }
    }

    /** The vocabulary pieces of the ids, read from the vocabulary the test wrote. */
    private String[] pieces(int[] ids) {
        return Arrays.stream(ids).mapToObj(i -> vocabById.get(i)).toArray(String[]::new);
    }
}
