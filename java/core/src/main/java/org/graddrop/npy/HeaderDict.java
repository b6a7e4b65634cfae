package org.graddrop.npy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A parser for the Python dict literal in a {@code .npy} header, such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 64), }}. It accepts the subset that
 * NumPy writes: single- or double-quoted strings, {@code True}/{@code False}, and a tuple of
 * integers (with the {@code L} suffix that Python 2 wrote), and requires exactly the three keys.
 */
final class HeaderDict {

    private final String file;
    private final String text;
    private int position;

    private String descr;
    private Boolean fortranOrder;
    private long[] shape;

    private HeaderDict(String file, String text) {
        this.file = file;
        this.text = text;
    }

    static HeaderDict parse(String file, String text) throws NpyException {
        HeaderDict dict = new HeaderDict(file, text);
        dict.parseDict();
        return dict;
    }

    String descr() {
        return descr;
    }

    boolean fortranOrder() {
        return fortranOrder;
    }

    long[] shape() {
        return shape;
    }

    private void parseDict() throws NpyException {
        expect('{');
        Set<String> seen = new HashSet<>();
        while (true) {
            skipSpace();
            if (peek() == '}') {
                position++;
                break;
            }
            String key = parseString("a quoted key");
            if (!seen.add(key)) {
                throw malformed("the key '" + key + "' appears twice");
            }
            expect(':');
            switch (key) {
                case "descr" -> parseDescr();
                case "fortran_order" -> fortranOrder = parseBoolean();
                case "shape" -> shape = parseShape();
                default -> throw malformed("unexpected key '" + key + "': expected only 'descr', 'fortran_order' and 'shape'");
            }
            skipSpace();
            if (peek() == ',') {
                position++;
            } else if (peek() != '}') {
                throw malformed("expected ',' or '}' at character " + position + " of the header dict");
            }
        }

        skipSpace();
        if (position != text.length()) {
            throw malformed("unexpected text after the header dict at character " + position);
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!seen.contains(key)) {
                throw malformed("the header dict has no '" + key + "' key");
            }
        }
    }

    private void parseDescr() throws NpyException {
        skipSpace();
        if (peek() == '[') {
            throw NpyHeader.unsupportedDtype(file, "(a structured dtype)");
        }
        descr = parseString("the dtype as a quoted string such as '<f4'");
    }

    private boolean parseBoolean() throws NpyException {
        skipSpace();
        if (text.startsWith("True", position)) {
            position += 4;
            return true;
        }
        if (text.startsWith("False", position)) {
            position += 5;
            return false;
        }
        throw malformed("expected True or False for 'fortran_order' at character " + position);
    }

    private long[] parseShape() throws NpyException {
        expect('(');
        List<Long> dimensions = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek() == ')') {
                position++;
                break;
            }
            dimensions.add(parseDimension());
            skipSpace();
            if (peek() == ',') {
                position++;
            } else if (peek() != ')') {
                throw malformed("expected ',' or ')' in 'shape' at character " + position);
            }
        }
        long[] result = new long[dimensions.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = dimensions.get(i);
        }
        return result;
    }

    private long parseDimension() throws NpyException {
        int start = position;
        while (position < text.length() && Character.isDigit(text.charAt(position))) {
            position++;
        }
        if (start == position) {
            throw malformed("expected a non-negative integer in 'shape' at character " + start);
        }
        String digits = text.substring(start, position);
        if (peek() == 'L') {
            position++;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw malformed("the dimension " + digits + " in 'shape' does not fit a 64-bit integer");
        }
    }

    private String parseString(String expected) throws NpyException {
        skipSpace();
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw malformed("expected " + expected + " at character " + position);
        }
        int end = text.indexOf(quote, position + 1);
        if (end < 0) {
            throw malformed("unterminated string at character " + position);
        }
        String value = text.substring(position + 1, end);
        position = end + 1;
        return value;
    }

    private void expect(char c) throws NpyException {
        skipSpace();
        if (peek() != c) {
            throw malformed("expected '" + c + "' at character " + position + " of the header dict");
        }
        position++;
    }

    private void skipSpace() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private NpyException malformed(String problem) {
        return new NpyException(file, NpyException.Reason.MALFORMED_HEADER, "malformed header: " + problem);
    }
}
