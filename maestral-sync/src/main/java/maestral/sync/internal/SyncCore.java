package maestral.sync.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.sync.internal.Reconciler.Action;
import maestral.sync.spi.RemoteConflictException;
import maestral.sync.spi.RemoteEntry;
import maestral.sync.spi.RemoteSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass: scan the local tree, list the remote, decide every path with
 * {@link Reconciler} against the {@link Index}, then act: deletions deepest first, then
 * creations and transfers parents first. Every action re-checks, just before it changes
 * anything, that the item is still what the plan saw; when it is not, the action is skipped
 * and the next pass decides again, so a concurrent edit is never overwritten unseen.
 *
 * <p><b>Used by one thread at a time</b> (the engine's sync thread).
 */
public final class SyncCore {

    private static final Logger LOG = LoggerFactory.getLogger(SyncCore.class);

    /** What a pass tells its engine. */
    public interface Reporter {
        /**
         * The pass has planned these events (all {@code "queued"}).
         *
         * @param events the events, in the order they run
         * @param bytes bytes to transfer in all
         */
        void planned(List<SyncEvent> events, long bytes);

        /**
         * An event changed (started, or ended).
         *
         * @param position its position in the planned list
         * @param event its new state
         * @param bytesDone bytes transferred in this pass so far
         */
        void updated(int position, SyncEvent event, long bytesDone);

        /**
         * Records or clears the error of a path.
         *
         * @param path the path
         * @param error the error, or {@code null} to clear it
         */
        void error(String path, SyncErrorInfo error);

        /** {@return whether the pass must stop before its next action (pause, stop)} */
        boolean abort();
    }

    /**
     * What a pass did.
     *
     * @param actions actions that changed something
     * @param skipped actions skipped because an item changed meanwhile (the next pass decides again)
     * @param failed actions that failed with a sync error
     * @param aborted whether the pass stopped early
     */
    public record Result(int actions, int skipped, int failed, boolean aborted) {
        /** {@return whether another pass should follow at once} */
        public boolean again() {
            return actions > 0;
        }
    }

    /**
     * What to do with one path.
     *
     * @param from for an upload or download that is really a move (same content, deleted at
     *     {@code from.path()} on the side that moved it): the deletion it replaces; else {@code null}
     */
    private record Plan(String path, Action action, TreeScanner.Item local, RemoteEntry remote,
                        Index.Entry index, Plan from) {
        Plan(String path, Action action, TreeScanner.Item local, RemoteEntry remote, Index.Entry index) {
            this(path, action, local, remote, index, null);
        }

        Plan movedFrom(Plan deletion) {
            return new Plan(path, action, local, remote, index, deletion);
        }
    }

    private final TreeScanner local;
    private final RemoteSession remote;
    private final Index index;
    private final Predicate<String> excluded;
    private final Reporter reporter;
    private static final java.util.concurrent.atomic.AtomicLong EVENT_IDS = new java.util.concurrent.atomic.AtomicLong(1);

    /**
     * Creates the pass logic.
     *
     * @param localRoot the local folder
     * @param remote the remote
     * @param index the index
     * @param excluded whether a path is excluded from sync
     * @param reporter where progress goes
     */
    public SyncCore(Path localRoot, RemoteSession remote, Index index, Predicate<String> excluded,
                    Reporter reporter) {
        this.local = new TreeScanner(localRoot, remote::contentHash);
        this.remote = remote;
        this.index = index;
        this.excluded = excluded;
        this.reporter = reporter;
    }

    /**
     * Makes later event ids larger than every id used before (the history of an earlier run).
     *
     * @param used the largest id in use
     */
    public static void reserveIdsUpTo(long used) {
        EVENT_IDS.accumulateAndGet(used + 1, Math::max);
    }

    /** {@return the local scanner} */
    public TreeScanner localScanner() {
        return local;
    }

    /**
     * Runs one pass.
     *
     * @return what it did
     * @throws IOException when the local folder or the remote cannot be listed
     */
    public Result pass() throws IOException {
        Map<String, TreeScanner.Item> locals = local.scan("/", true);
        Map<String, RemoteEntry> remotes = new HashMap<>();
        for (RemoteEntry e : remote.list("/", true)) {
            remotes.put(e.path(), e);
        }
        Map<String, Index.Entry> indexed = index.snapshot();
        Set<String> paths = new TreeSet<>();
        paths.addAll(locals.keySet());
        paths.addAll(remotes.keySet());
        paths.addAll(indexed.keySet());

        List<Plan> deletions = new ArrayList<>();
        List<Plan> others = new ArrayList<>();
        for (String path : paths) {
            if (excluded.test(path)) {
                continue;
            }
            Plan plan = new Plan(path, Reconciler.decide(locals.get(path), remotes.get(path), indexed.get(path)),
                    locals.get(path), remotes.get(path), indexed.get(path));
            switch (plan.action()) {
                case NOTHING -> reporter.error(path, null);
                case RECORD -> {
                    reporter.error(path, null);
                    record(plan.path(), plan.local(), plan.remote());
                }
                case FORGET -> {
                    reporter.error(path, null);
                    index.remove(path);
                }
                case DELETE_LOCAL, DELETE_REMOTE -> deletions.add(plan);
                default -> others.add(plan);
            }
        }
        index.commit();
        pairMoves(deletions, others);
        deletions.sort(Comparator.comparing(Plan::path).reversed());
        List<Plan> plans = new ArrayList<>(deletions);
        plans.addAll(others);
        if (plans.isEmpty()) {
            return new Result(0, 0, 0, false);
        }

        List<SyncEvent> events = new ArrayList<>(plans.size());
        long bytes = 0;
        for (Plan p : plans) {
            SyncEvent e = event(p);
            events.add(e);
            bytes += e.size();
        }
        reporter.planned(events, bytes);
        Set<String> taken = new HashSet<>(locals.keySet());
        taken.addAll(remotes.keySet());

        int actions = 0;
        int skipped = 0;
        int failed = 0;
        long bytesDone = 0;
        for (int i = 0; i < plans.size(); i++) {
            if (reporter.abort()) {
                index.commit();
                return new Result(actions, skipped, failed, true);
            }
            Plan p = plans.get(i);
            SyncEvent e = events.get(i);
            reporter.updated(i, with(e, "syncing", 0, null), bytesDone);
            String status;
            try {
                if (act(p, taken)) {
                    actions++;
                    status = "done";
                    bytesDone += e.size();
                } else {
                    skipped++;
                    status = "skipped";
                }
                reporter.error(p.path(), null);
            } catch (RemoteConflictException | NoSuchFileException | DirectoryNotEmptyException
                     | FileAlreadyExistsException | NotDirectoryException race) {
                LOG.debug("Skipped {} {}: {}", p.action(), p.path(), race.toString());
                skipped++;
                status = "skipped";
            } catch (IOException | RuntimeException ex) {
                LOG.warn("Cannot {} {}: {}", p.action(), p.path(), ex.toString());
                failed++;
                status = "failed";
                reporter.error(p.path(), errorInfo(p, ex));
            }
            reporter.updated(i, with(e, status, status.equals("done") ? e.size() : 0, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), bytesDone);
        }
        index.commit();
        return new Result(actions, skipped, failed, false);
    }

    /**
     * Turns a deletion on one side plus a new file of the same content on that side into a
     * move on the other side, so that a renamed file is not transferred again. Pairs only
     * unambiguous files: the first deletion of each content hash.
     */
    private static void pairMoves(List<Plan> deletions, List<Plan> others) {
        Map<String, List<Plan>> upDeleted = new HashMap<>();
        Map<String, List<Plan>> downDeleted = new HashMap<>();
        for (Plan d : deletions) {
            if (d.index() == null || d.index().folder() || d.index().hash() == null) {
                continue;
            }
            if (d.action() == Action.DELETE_REMOTE && d.remote() != null && !d.remote().folder()) {
                upDeleted.computeIfAbsent(d.index().hash(), h -> new ArrayList<>()).add(d);
            } else if (d.action() == Action.DELETE_LOCAL && d.local() != null && !d.local().folder()) {
                downDeleted.computeIfAbsent(d.index().hash(), h -> new ArrayList<>()).add(d);
            }
        }
        if (upDeleted.isEmpty() && downDeleted.isEmpty()) {
            return;
        }
        for (int k = 0; k < others.size(); k++) {
            Plan o = others.get(k);
            List<Plan> candidates = null;
            if (o.action() == Action.UPLOAD && o.remote() == null && o.index() == null) {
                candidates = upDeleted.get(o.local().hash());
            } else if (o.action() == Action.DOWNLOAD && o.local() == null && o.index() == null) {
                candidates = downDeleted.get(o.remote().contentHash());
            }
            if (candidates != null && !candidates.isEmpty()) {
                Plan d = candidates.removeFirst();
                deletions.remove(d);
                others.set(k, o.movedFrom(d));
            }
        }
    }

    private SyncEvent event(Plan p) {
        boolean up = switch (p.action()) {
            case UPLOAD, CREATE_REMOTE_FOLDER, DELETE_REMOTE -> true;
            default -> false;
        };
        boolean folder = switch (p.action()) {
            case CREATE_LOCAL_FOLDER, CREATE_REMOTE_FOLDER -> true;
            case DELETE_LOCAL, CONFLICT -> p.local() != null && p.local().folder();
            case DELETE_REMOTE -> p.remote() != null && p.remote().folder();
            default -> false;
        };
        String change = switch (p.action()) {
            case UPLOAD -> p.from() != null ? "moved" : p.remote() == null ? "added" : "modified";
            case DOWNLOAD -> p.from() != null ? "moved" : p.local() == null ? "added" : "modified";
            case CREATE_LOCAL_FOLDER, CREATE_REMOTE_FOLDER -> "added";
            case CONFLICT -> "moved";
            default -> "deleted";
        };
        long size = p.from() != null ? 0 : switch (p.action()) {
            case UPLOAD -> p.local().size();
            case DOWNLOAD -> p.remote().size();
            default -> 0;
        };
        String localPath = local.resolve(p.path()).toString();
        String from = p.from() == null ? null : p.from().path();
        return new SyncEvent(EVENT_IDS.getAndIncrement(), up ? "up" : "down", folder ? "folder" : "file", change,
                "queued", p.path(), from, localPath, from == null ? null : local.resolve(from).toString(), size, 0,
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), null);
    }

    private static SyncEvent with(SyncEvent e, String status, long completed, Instant syncTime) {
        return new SyncEvent(e.id(), e.direction(), e.itemType(), e.changeType(), status, e.dbxPath(),
                e.dbxPathFrom(), e.localPath(), e.localPathFrom(), e.size(), completed, e.changeTime(), syncTime);
    }

    private SyncErrorInfo errorInfo(Plan p, Exception ex) {
        String type = ex instanceof AccessDeniedException ? "InsufficientPermissionsError"
                : ex instanceof FileSystemException fse && String.valueOf(fse.getReason()).contains("space")
                ? "InsufficientSpaceError" : "SyncError";
        String title = switch (p.action()) {
            case UPLOAD, CREATE_REMOTE_FOLDER, DELETE_REMOTE -> "Could not sync to the remote";
            default -> "Could not sync from the remote";
        };
        return new SyncErrorInfo(type, title, ex.getMessage() == null ? ex.toString() : ex.getMessage(),
                p.path(), null, local.resolve(p.path()).toString(), null);
    }

    /** Acts on one plan; {@return false when skipped because an item changed meanwhile} */
    private boolean act(Plan p, Set<String> taken) throws IOException {
        String path = p.path();
        return switch (p.action()) {
            case UPLOAD -> upload(p);
            case CREATE_REMOTE_FOLDER -> {
                if (!stillLocal(path, p.local())) {
                    yield false;
                }
                if (p.remote() != null && !p.remote().folder()) {
                    remote.delete(path, p.remote().rev());
                }
                remote.createFolder(path);
                record(path, p.local(), new RemoteEntry(path, true, 0, 0, null, null));
                yield true;
            }
            case DELETE_REMOTE -> {
                if (p.remote() != null) {
                    remote.delete(path, p.remote().folder() ? null : p.remote().rev());
                }
                index.remove(path);
                yield true;
            }
            case DOWNLOAD -> download(p, taken);
            case CREATE_LOCAL_FOLDER -> {
                TreeScanner.Item cur = local.stat(path);
                if (!sameItem(cur, p.local())) {
                    yield false;
                }
                if (cur != null && !cur.folder()) {
                    Files.delete(local.resolve(path));
                }
                Files.createDirectories(local.resolve(path));
                index.put(new Index.Entry(path, true, 0, 0, null, null));
                yield true;
            }
            case DELETE_LOCAL -> {
                TreeScanner.Item cur = local.stat(path);
                if (cur != null) {
                    if (!sameItem(cur, p.local())) {
                        yield false;
                    }
                    Files.delete(local.resolve(path));
                }
                index.remove(path);
                yield true;
            }
            case CONFLICT -> {
                if (!stillLocal(path, p.local())) {
                    yield false;
                }
                String copy = conflictCopy(path, taken);
                taken.add(copy);
                Files.move(local.resolve(path), local.resolve(copy), StandardCopyOption.ATOMIC_MOVE);
                LOG.info("Conflict at {}: the local version is kept as {}", path, copy);
                yield true;
            }
            default -> true;
        };
    }

    private boolean stillLocal(String path, TreeScanner.Item planned) throws IOException {
        return sameItem(local.stat(path), planned);
    }

    private static boolean sameItem(TreeScanner.Item a, TreeScanner.Item b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.folder() == b.folder() && Objects.equals(a.hash(), b.hash());
    }

    private boolean upload(Plan p) throws IOException {
        String path = p.path();
        TreeScanner.Item before = local.stat(path);
        if (!sameItem(before, p.local())) {
            return false;
        }
        if (p.from() != null) {
            RemoteEntry source = p.from().remote();
            RemoteEntry now = remote.metadata(source.path());
            if (now == null || now.folder() || !Objects.equals(now.rev(), source.rev())) {
                return false; // the source changed remotely: the next pass decides again
            }
            RemoteEntry moved = remote.move(source.path(), path);
            index.remove(source.path());
            index.put(new Index.Entry(path, false, before.size(), before.mtimeNanos(), before.hash(),
                    moved == null ? source.rev() : moved.rev()));
            return true;
        }
        RemoteEntry r = p.remote();
        if (r != null && r.folder()) {
            remote.delete(path, null);
            r = null;
        }
        RemoteEntry written;
        try (InputStream in = Files.newInputStream(local.resolve(path))) {
            written = remote.write(path, in, r == null ? null : r.rev());
        }
        index.put(new Index.Entry(path, false, before.size(), before.mtimeNanos(), written.contentHash(),
                written.rev()));
        return true;
    }

    private boolean download(Plan p, Set<String> taken) throws IOException {
        String path = p.path();
        Path target = local.resolve(path);
        Path parent = target.getParent();
        String blocking = fileAncestor(path);
        if (blocking != null) {
            // A local file where the remote has a folder with changed content: keep the file as a
            // conflicting copy (uploaded by the next pass) and make room for the folder.
            String copy = conflictCopy(blocking, taken);
            taken.add(copy);
            Files.move(local.resolve(blocking), local.resolve(copy), StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Conflict at {}: the local file is kept as {}", blocking, copy);
        }
        Files.createDirectories(parent);
        if (p.from() != null) {
            String source = p.from().path();
            if (!stillLocal(source, p.from().local()) || local.stat(path) != null) {
                return false;
            }
            Files.move(local.resolve(source), target, StandardCopyOption.ATOMIC_MOVE);
            index.remove(source);
            TreeScanner.Item moved = local.stat(path);
            if (moved == null || moved.folder()) {
                return false;
            }
            index.put(new Index.Entry(path, false, moved.size(), moved.mtimeNanos(), moved.hash(), p.remote().rev()));
            return true;
        }
        Path temp = parent.resolve(TreeScanner.TEMP_PREFIX + UUID.randomUUID());
        try {
            try (InputStream in = remote.read(path)) {
                Files.copy(in, temp);
            }
            TreeScanner.Item cur = local.stat(path);
            if (!sameItem(cur, p.local())) {
                return false;
            }
            if (cur != null && cur.folder()) {
                try {
                    Files.delete(target); // an empty folder gives way
                } catch (DirectoryNotEmptyException full) {
                    String copy = conflictCopy(path, taken); // a full one is kept as a conflicting copy
                    taken.add(copy);
                    Files.move(target, local.resolve(copy), StandardCopyOption.ATOMIC_MOVE);
                    LOG.info("Conflict at {}: the local folder is kept as {}", path, copy);
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        TreeScanner.Item now = local.stat(path);
        if (now == null || now.folder()) {
            return false;
        }
        index.put(new Index.Entry(path, false, now.size(), now.mtimeNanos(), now.hash(), p.remote().rev()));
        return true;
    }

    /** {@return the nearest local ancestor of the path that is a file, or {@code null}} */
    private String fileAncestor(String path) throws IOException {
        for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
            String ancestor = path.substring(0, slash);
            TreeScanner.Item item = local.stat(ancestor);
            if (item == null) {
                return null;
            }
            if (!item.folder()) {
                return ancestor;
            }
        }
        return null;
    }

    private void record(String path, TreeScanner.Item l, RemoteEntry r) {
        if (l.folder()) {
            index.put(new Index.Entry(path, true, 0, 0, null, null));
        } else {
            index.put(new Index.Entry(path, false, l.size(), l.mtimeNanos(), l.hash(), r.rev()));
        }
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /**
     * {@return the path of the conflicting copy of a path, as maestral names it:
     * {@code "name (conflicting copy).ext"}, a folder {@code "name (conflicting copy)"}, with a
     * number when that is taken}
     *
     * @param path the path
     * @param taken paths in use on either side
     */
    static String conflictCopy(String path, Set<String> taken) {
        String parent = parentOf(path);
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        Set<String> lower = new HashSet<>();
        taken.forEach(t -> lower.add(t.toLowerCase(Locale.ROOT)));
        for (int n = 1; ; n++) {
            String candidate = (parent.equals("/") ? "" : parent) + "/" + stem
                    + (n == 1 ? " (conflicting copy)" : " (conflicting copy " + n + ")") + ext;
            if (!lower.contains(candidate.toLowerCase(Locale.ROOT))) {
                return candidate;
            }
        }
    }
}
