package io.openivs.server.playback.access;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a tiny IPv4 MaxMind DB (format 2.0, from the published file format specification) that
 * maps a few networks to a GeoIP2-Country-shaped record, so tests can exercise the real geoip2
 * reader without a downloaded database.
 */
final class TestGeoDatabase {
    private final Map<String, String> networks = new LinkedHashMap<>();

    /** Adds "a.b.c.d/len" -> ISO country code. */
    TestGeoDatabase network(String cidr, String isoCode) {
        networks.put(cidr, isoCode);
        return this;
    }

    /** A binary trie node; each side is a child node, a data offset or nothing. */
    private static final class Node {
        final Object[] side = new Object[2];
    }

    void write(Path file) throws IOException {
        // Data section: one record per network.
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Map<String, Integer> offsets = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : networks.entrySet()) {
            offsets.put(e.getKey(), data.size());
            Map<String, Object> country = new LinkedHashMap<>();
            country.put("iso_code", e.getValue());
            country.put("names", Map.of("en", "Country " + e.getValue()));
            encode(data, Map.of("country", country));
        }
        Node root = new Node();
        for (Map.Entry<String, Integer> e : offsets.entrySet()) {
            String[] parts = e.getKey().split("/");
            byte[] addr = InetAddress.getByName(parts[0]).getAddress();
            int length = Integer.parseInt(parts[1]);
            Node n = root;
            for (int bit = 0; bit < length; bit++) {
                int b = (addr[bit / 8] >> (7 - bit % 8)) & 1;
                if (bit == length - 1) {
                    n.side[b] = e.getValue();
                } else {
                    if (!(n.side[b] instanceof Node)) {
                        n.side[b] = new Node();
                    }
                    n = (Node) n.side[b];
                }
            }
        }
        List<Node> order = new ArrayList<>();
        number(root, order);
        int nodeCount = order.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node n : order) {
            for (Object s : n.side) {
                // 24-bit records: a node index, nodeCount for "no data", or nodeCount + 16 + data offset.
                int record = s instanceof Node child
                        ? order.indexOf(child)
                        : s instanceof Integer offset ? nodeCount + 16 + offset : nodeCount;
                out.write(record >> 16);
                out.write(record >> 8);
                out.write(record);
            }
        }
        out.write(new byte[16]);
        data.writeTo(out);
        out.write(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF});
        out.write("MaxMind.com".getBytes(StandardCharsets.US_ASCII));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("node_count", new Uint(6, nodeCount));
        meta.put("record_size", new Uint(5, 24));
        meta.put("ip_version", new Uint(5, 4));
        meta.put("database_type", "GeoLite2-Country");
        meta.put("languages", List.of("en"));
        meta.put("binary_format_major_version", new Uint(5, 2));
        meta.put("binary_format_minor_version", new Uint(5, 0));
        meta.put("build_epoch", new Uint(9, System.currentTimeMillis() / 1000));
        meta.put("description", Map.of("en", "openivs test database"));
        encode(out, meta);
        Files.write(file, out.toByteArray());
    }

    private static void number(Node n, List<Node> order) {
        order.add(n);
        for (Object s : n.side) {
            if (s instanceof Node child) {
                number(child, order);
            }
        }
    }

    /** An unsigned integer of the given MMDB type (5 uint16, 6 uint32, 9 uint64). */
    private record Uint(int type, long value) {}

    private static void encode(ByteArrayOutputStream out, Object v) throws IOException {
        if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            control(out, 2, b.length);
            out.write(b);
        } else if (v instanceof Uint u) {
            int bytes = 0;
            for (long x = u.value(); x != 0; x >>>= 8) {
                bytes++;
            }
            control(out, u.type(), bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((int) (u.value() >>> (8 * i)));
            }
        } else if (v instanceof Map<?, ?> m) {
            control(out, 7, m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                encode(out, e.getKey());
                encode(out, e.getValue());
            }
        } else if (v instanceof List<?> l) {
            control(out, 11, l.size());
            for (Object x : l) {
                encode(out, x);
            }
        } else {
            throw new IllegalArgumentException(String.valueOf(v));
        }
    }

    /** Control byte: type in the top 3 bits (0 + an extra byte for types above 7), size below (small sizes only). */
    private static void control(ByteArrayOutputStream out, int type, int size) {
        if (size >= 29) {
            throw new IllegalArgumentException("sizes up to 28 only");
        }
        if (type <= 7) {
            out.write((type << 5) | size);
        } else {
            out.write(size);
            out.write(type - 7);
        }
    }
}
