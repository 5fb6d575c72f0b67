package dev.mmalign.trainer.evaluate;

import java.util.Map;

/**
 * Python's {@code str.format} with named fields only, as FastChat fills its judge prompt templates
 * ({@code prompt_template.format(question=..., answer=...)}): {@code {name}} is replaced by its value, {@code {{} and
 * {@code }}} stand for single braces, and values are never re-read. A field with no value, a format spec or a lone
 * brace is an error, as it is in Python.
 */
final class PythonFormat {

    private PythonFormat() {}

    static String format(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder(template.length() + 256);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                out.append('}');
                i += 2;
            } else if (c == '{') {
                int end = template.indexOf('}', i);
                if (end < 0) throw new IllegalArgumentException("single '{' encountered in format string");
                String name = template.substring(i + 1, end);
                String value = values.get(name);
                if (value == null) throw new IllegalArgumentException("no value for field {" + name + "}");
                out.append(value);
                i = end + 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("single '}' encountered in format string");
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
