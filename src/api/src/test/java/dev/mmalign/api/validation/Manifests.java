package dev.mmalign.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads multi-document YAML manifests from files and folders. */
final class Manifests {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One document of one file. */
    record Document(Path file, int index, JsonNode content) {
        @Override
        public String toString() {
            return file.getFileName() + "#" + index + " (" + content.path("kind").asText() + " "
                    + content.path("metadata").path("name").asText() + ")";
        }
    }

    private Manifests() {}

    static List<Document> read(Path file) throws IOException {
        List<Document> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            var it = YAML.readValues(parser, JsonNode.class);
            int i = 0;
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isEmpty()) {
                    docs.add(new Document(file, i++, node));
                }
            }
        }
        return docs;
    }

    static List<Path> yamlFilesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }
}
