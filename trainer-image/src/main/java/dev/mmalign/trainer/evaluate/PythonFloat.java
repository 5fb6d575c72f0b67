package dev.mmalign.trainer.evaluate;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * Python's {@code float(str)} and {@code round(x, n)}, for graders whose official code parses and rounds scores that
 * way: which strings {@code float()} accepts decides which judge replies count, and {@code round} decides the printed
 * figure users compare.
 */
final class PythonFloat {

    /** float()'s decimal grammar: optional sign, digits with single underscores between them, fraction, exponent. */
    private static final Pattern DECIMAL = Pattern.compile(
            "[+-]?(?:\\d(?:_?\\d)*(?:\\.(?:\\d(?:_?\\d)*)?)?|\\.\\d(?:_?\\d)*)(?:[eE][+-]?\\d(?:_?\\d)*)?");
    private static final Pattern INFINITY = Pattern.compile("[+-]?(?i:inf|infinity)");

    private PythonFloat() {}

    /**
     * The value {@code float(text)} gives, or null where it raises. NaN ("nan") is refused too: Python accepts it, but
     * it would turn every mean it enters into NaN.
     */
    static Double parse(String text) {
        if (text == null) return null;
        String t = strip(text);
        if (DECIMAL.matcher(t).matches()) return Double.parseDouble(t.replace("_", ""));
        if (INFINITY.matcher(t).matches()) {
            return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return null;
    }

    /** Python's str.strip(): leading and trailing whitespace (Unicode whitespace included) removed. */
    static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) a++;
        while (b > a && isSpace(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's round(x, digits): the exact binary value rounded half to even. */
    static double round(double x, int digits) {
        if (Double.isNaN(x) || Double.isInfinite(x)) return x;
        return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
    }
}
