package dev.mmalign.trainer.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of Python's {@code ast.literal_eval} that AlpacaEval's {@code ranking_parser} and the paper's DPO pair
 * files (a question turn written from a CSV as a dict's repr) meet: lists, tuples, dicts,
 * strings (single, double or triple quotes, r-prefix, implicit concatenation, the usual escapes), ints, floats,
 * True/False/None, comments and trailing commas. Lists and tuples come back as {@link List}, dicts as {@link Map}
 * (a repeated key keeps the last value, as in Python), True/False as {@link Boolean}, ints as {@link Long}. Anything
 * else (sets, expressions, names, text around the literal) is a {@link IllegalArgumentException}, where literal_eval
 * raises too.
 */
public final class PythonLiteral {

    private final String s;
    private int i;

    private PythonLiteral(String s) {
        this.s = s;
    }

    public static Object parse(String text) {
        PythonLiteral p = new PythonLiteral(text);
        p.skip();
        Object v = p.value();
        p.skip();
        if (p.i != p.s.length()) throw p.error("unexpected text after the literal");
        return v;
    }

    private Object value() {
        if (i >= s.length()) throw error("unexpected end");
        char c = s.charAt(i);
        if (c == '[') return sequence(']');
        if (c == '(') return sequence(')');
        if (c == '{') return dict();
        if (c == '"' || c == '\'' || ((c == 'r' || c == 'R' || c == 'u' || c == 'U') && i + 1 < s.length()
                && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\''))) {
            StringBuilder b = new StringBuilder(string());
            while (true) {
                int save = i;
                skip();
                if (i < s.length() && (s.charAt(i) == '"' || s.charAt(i) == '\'')) {
                    b.append(string());
                } else {
                    i = save;
                    return b.toString();
                }
            }
        }
        if (c == '-' || c == '+' || Character.isDigit(c) || c == '.') return number();
        for (String name : List.of("True", "False", "None")) {
            if (s.startsWith(name, i) && (i + name.length() == s.length()
                    || !Character.isJavaIdentifierPart(s.charAt(i + name.length())))) {
                i += name.length();
                return name.equals("None") ? null : Boolean.valueOf(name.equals("True"));
            }
        }
        throw error("not a literal");
    }

    private List<Object> sequence(char close) {
        i++;
        List<Object> out = new ArrayList<>();
        skip();
        while (true) {
            if (i < s.length() && s.charAt(i) == close) {
                i++;
                return out;
            }
            out.add(value());
            skip();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                skip();
            } else if (i >= s.length() || s.charAt(i) != close) {
                throw error("expected , or " + close);
            }
        }
    }

    private Map<Object, Object> dict() {
        i++;
        Map<Object, Object> out = new LinkedHashMap<>();
        skip();
        while (true) {
            if (i < s.length() && s.charAt(i) == '}') {
                i++;
                return out;
            }
            Object key = value();
            if (key instanceof List) throw error("unhashable key");
            skip();
            if (i >= s.length() || s.charAt(i) != ':') throw error("expected :");
            i++;
            skip();
            out.put(key, value());
            skip();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                skip();
            } else if (i >= s.length() || s.charAt(i) != '}') {
                throw error("expected , or }");
            }
        }
    }

    private String string() {
        boolean raw = false;
        char c = s.charAt(i);
        if (c != '"' && c != '\'') {
            raw = c == 'r' || c == 'R';
            i++;
        }
        char q = s.charAt(i);
        boolean triple = s.startsWith("" + q + q + q, i);
        i += triple ? 3 : 1;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char ch = s.charAt(i);
            if (triple ? s.startsWith("" + q + q + q, i) : ch == q) {
                i += triple ? 3 : 1;
                return b.toString();
            }
            if (!triple && ch == '\n') throw error("newline in a string");
            if (ch == '\\' && i + 1 < s.length()) {
                char e = s.charAt(i + 1);
                if (raw) {
                    b.append(ch).append(e);
                    i += 2;
                    continue;
                }
                i += 2;
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '\\' -> b.append('\\');
                    case '\'' -> b.append('\'');
                    case '"' -> b.append('"');
                    case '\n' -> { }
                    case 'x' -> b.append(hex(2));
                    case 'u' -> b.append(hex(4));
                    default -> b.append('\\').append(e);
                }
                continue;
            }
            b.append(ch);
            i++;
        }
    }

    private char hex(int digits) {
        if (i + digits > s.length()) throw error("truncated escape");
        char v = (char) Integer.parseInt(s.substring(i, i + digits), 16);
        i += digits;
        return v;
    }

    private Object number() {
        int start = i;
        boolean negative = false;
        if (s.charAt(i) == '-' || s.charAt(i) == '+') {
            negative = s.charAt(i) == '-';
            i++;
            skip();
        }
        int digits = i;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '_'
                || s.charAt(i) == 'e' || s.charAt(i) == 'E'
                || ((s.charAt(i) == '-' || s.charAt(i) == '+') && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')))) {
            i++;
        }
        String text = s.substring(digits, i).replace("_", "");
        if (text.isEmpty()) throw error("not a number at " + start);
        try {
            if (text.matches("0|[1-9][0-9]*")) return negative ? -Long.parseLong(text) : Long.parseLong(text);
            // A float needs a point or an exponent; "08" is no int either (as in Python 3).
            if (text.matches("[0-9]*\\.?[0-9]*([eE][-+]?[0-9]+)?") && !text.equals(".")
                    && (text.contains(".") || text.contains("e") || text.contains("E"))) {
                double d = Double.parseDouble(text);
                return negative ? -d : d;
            }
        } catch (NumberFormatException e) {
            throw error("bad number " + text);
        }
        throw error("bad number " + text);
    }

    private void skip() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else {
                return;
            }
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at offset " + i);
    }
}
