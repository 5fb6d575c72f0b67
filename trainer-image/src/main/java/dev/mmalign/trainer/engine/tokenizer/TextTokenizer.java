package dev.mmalign.trainer.engine.tokenizer;

/** Text ↔ token ids, with the special tokens the engine needs. */
public interface TextTokenizer extends AutoCloseable {
    /** Ids of the text without BOS/EOS; the literal {@code <image>} becomes {@link #imageTokenId()}. */
    int[] encode(String text);

    /** Text of the ids, special tokens skipped. */
    String decode(int[] ids);

    int bosId();

    int eosId();

    int padId();

    int imageTokenId();

    int vocabSize();

    @Override
    default void close() {}
}
