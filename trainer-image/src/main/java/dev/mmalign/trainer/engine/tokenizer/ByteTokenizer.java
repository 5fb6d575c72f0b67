package dev.mmalign.trainer.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Built-in byte-level tokenizer for the tiny/small presets when a model directory has no
 * tokenizer.json: ids 0..3 are {@code <pad> <s> </s> <image>}, ids 4..259 the UTF-8 bytes.
 */
public final class ByteTokenizer implements TextTokenizer {
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int IMAGE = 3;
    public static final int OFFSET = 4;
    public static final int VOCAB = 260;
    private static final String IMAGE_TEXT = "<image>";

    @Override
    public int[] encode(String text) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        int from = 0;
        while (true) {
            int at = text.indexOf(IMAGE_TEXT, from);
            String part = at < 0 ? text.substring(from) : text.substring(from, at);
            for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
                out.add((b & 0xff) + OFFSET);
            }
            if (at < 0) {
                break;
            }
            out.add(IMAGE);
            from = at + IMAGE_TEXT.length();
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id >= OFFSET && id < VOCAB) {
                bytes.write(id - OFFSET);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public int padId() {
        return PAD;
    }

    @Override
    public int imageTokenId() {
        return IMAGE;
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }
}
