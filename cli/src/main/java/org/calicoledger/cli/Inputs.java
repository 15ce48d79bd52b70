package org.calicoledger.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.ResourceCodec;

/** Reads {@code -f FILE|DIR|-} into documents, as calicoctl does (a directory: its *.yaml, *.yml and *.json). */
final class Inputs {
  private Inputs() {}

  static List<ResourceCodec.Document> read(String file, boolean recursive, InputStream stdin) {
    if (file.equals("-")) {
      try {
        return ResourceCodec.decodeAll(new String(stdin.readAllBytes(), StandardCharsets.UTF_8), "stdin");
      } catch (IOException e) {
        throw new InvalidResourceException("stdin", "", "cannot read: " + e.getMessage());
      }
    }
    Path p = Path.of(file);
    if (Files.isDirectory(p)) {
      List<ResourceCodec.Document> out = new ArrayList<>();
      try (Stream<Path> files = recursive ? Files.walk(p) : Files.list(p)) {
        for (Path f : files.filter(Files::isRegularFile)
            .filter(f -> f.toString().matches(".*\\.(yaml|yml|json)$")).sorted().toList()) {
          out.addAll(readFile(f));
        }
      } catch (IOException e) {
        throw new InvalidResourceException(file, "", "cannot read directory: " + e.getMessage());
      }
      if (out.isEmpty()) {
        throw new InvalidResourceException(file, "", "No resources specified in directory " + file);
      }
      return out;
    }
    List<ResourceCodec.Document> docs = readFile(p);
    if (docs.isEmpty()) {
      throw new InvalidResourceException(file, "", "No resources specified in file " + file);
    }
    return docs;
  }

  private static List<ResourceCodec.Document> readFile(Path f) {
    if (!Files.isReadable(f)) {
      throw new InvalidResourceException(f.toString(), "", "cannot read file: no such file or not readable");
    }
    try {
      return ResourceCodec.decodeAll(Files.readString(f), f.toString());
    } catch (IOException e) {
      throw new InvalidResourceException(f.toString(), "", "cannot read file: " + e.getMessage());
    }
  }
}
