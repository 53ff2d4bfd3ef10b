package maestral.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import maestral.sync.internal.TreeScanner;

/** Test helpers: a tree as a map of path to content ({@code "/"} for a folder), and removal. */
final class Trees {

    /** The content that stands for a folder in {@link #of(Path)}. */
    static final String FOLDER = "<folder>";

    private Trees() {
    }

    /** {@return the tree below root: path to content, folders as {@link #FOLDER}, temporaries and the identity file left out} */
    static Map<String, String> of(Path root) {
        Map<String, String> out = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root)) {
                        if (dir.getFileName().toString().startsWith(TreeScanner.TEMP_PREFIX)) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        out.put(path(root, dir), FOLDER);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = file.getFileName().toString();
                    if (!name.startsWith(TreeScanner.TEMP_PREFIX) && !name.equals(TreeScanner.IDENTITY_FILE)) {
                        out.put(path(root, file), new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static String path(Path root, Path file) {
        StringBuilder sb = new StringBuilder();
        for (Path part : root.relativize(file)) {
            sb.append('/').append(part);
        }
        return sb.toString();
    }

    /** Removes a tree, if it exists. */
    static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
