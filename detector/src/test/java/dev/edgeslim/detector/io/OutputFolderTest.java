package dev.edgeslim.detector.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Output folders are never overwritten unless the user asks ({@code --force}), and then only EdgeSlim's own files go;
 * a killed write leaves at most a temp file, which the next write or the next {@code --resume}/{@code --force}
 * removes (docs/reliability.md).
 */
class OutputFolderTest {
    private static final Set<String> OWN = Set.of("model.cfg", "final.weights", "checkpoints");

    @TempDir
    Path tmp;

    @Test
    void aMissingOrEmptyFolderIsReadyWithoutForce() throws IOException {
        Path fresh = tmp.resolve("a/b/run");
        OutputFolder.prepare(fresh, false, false, OWN);
        assertTrue(Files.isDirectory(fresh));
        OutputFolder.prepare(fresh, false, false, OWN); // still empty
    }

    @Test
    void aNonEmptyFolderIsRefusedWithoutForceOrResumeAndNothingIsTouched() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("model.cfg"), "mine");
        Files.writeString(run.resolve("notes.txt"), "the user's");
        BadInputException e = assertThrows(BadInputException.class, () -> OutputFolder.prepare(run, false, false, OWN));
        assertTrue(e.getMessage().startsWith(run + ": output folder is not empty") && e.getMessage().contains("--force"),
                e.getMessage());
        e = assertThrows(BadInputException.class, () -> OutputFolder.check(run, false, false, false));
        assertFalse(e.getMessage().contains("--resume"), "a command without --resume does not suggest it");
        assertEquals("mine", Files.readString(run.resolve("model.cfg")));
        assertEquals("the user's", Files.readString(run.resolve("notes.txt")));
    }

    @Test
    void resumeKeepsEverything() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("model.cfg"), "mine");
        OutputFolder.prepare(run, false, true, OWN);
        assertEquals("mine", Files.readString(run.resolve("model.cfg")));
    }

    @Test
    void forceDeletesOnlyEdgeSlimsOwnFilesAndNeverFollowsALink() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path precious = Files.createDirectories(tmp.resolve("precious"));
        Files.writeString(precious.resolve("data.txt"), "keep me");
        Files.writeString(run.resolve("model.cfg"), "mine");
        Files.createDirectories(run.resolve("checkpoints"));
        Files.writeString(run.resolve("checkpoints/ckpt-1.weights"), "mine");
        Files.writeString(run.resolve("notes.txt"), "the user's");
        Files.createSymbolicLink(run.resolve("final.weights"), precious.resolve("data.txt"));
        OutputFolder.prepare(run, true, false, OWN);
        assertFalse(Files.exists(run.resolve("model.cfg")));
        assertFalse(Files.exists(run.resolve("checkpoints")));
        assertFalse(Files.exists(run.resolve("final.weights"), LinkOption.NOFOLLOW_LINKS), "the link itself goes");
        assertEquals("keep me", Files.readString(precious.resolve("data.txt")), "its target stays");
        assertEquals("the user's", Files.readString(run.resolve("notes.txt")));
    }

    @Test
    void aLinkedOwnFolderIsUnlinkedNotEmptied() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("ckpt-1.weights"), "not ours to delete");
        Files.createSymbolicLink(run.resolve("checkpoints"), elsewhere);
        OutputFolder.prepare(run, true, false, OWN);
        assertFalse(Files.exists(run.resolve("checkpoints"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("not ours to delete", Files.readString(elsewhere.resolve("ckpt-1.weights")));
    }

    @Test
    void anOutputPathThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("run"), "a file");
        BadInputException e = assertThrows(BadInputException.class, () -> OutputFolder.prepare(file, true, true, OWN));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
        assertEquals("a file", Files.readString(file));
    }

    @Test
    void resumeAndForceClearTempFilesOfKilledWritesButNotTheUsersFiles() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.createDirectories(run.resolve("checkpoints"));
        Path topTemp = Files.writeString(AtomicFiles.tempFor(run.resolve("final.weights")), "half");
        Path innerTemp = Files.writeString(AtomicFiles.tempFor(run.resolve("checkpoints/ckpt-4.weights")), "half");
        Path usersTemp = Files.writeString(run.resolve(".draft.tmp"), "the user's");
        OutputFolder.prepare(run, false, true, OWN);
        assertFalse(Files.exists(topTemp));
        assertFalse(Files.exists(innerTemp));
        assertTrue(Files.exists(usersTemp), "a temp-looking file that is not one of ours stays");

        Path again = Files.writeString(AtomicFiles.tempFor(run.resolve("model.cfg")), "half");
        OutputFolder.prepare(run, true, false, OWN);
        assertFalse(Files.exists(again));
        assertTrue(Files.exists(usersTemp));
    }

    @Test
    void anAtomicWriteReplacesTheTempFileAKilledWriteLeftAndNeverFollowsALinkThere() throws IOException {
        Path target = tmp.resolve("model.tflite");
        Files.writeString(AtomicFiles.tempFor(target), "half of an old write");
        AtomicFiles.writeBytes(target, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertFalse(Files.exists(AtomicFiles.tempFor(target)));

        Path victim = Files.writeString(tmp.resolve("victim.txt"), "untouched");
        Files.createSymbolicLink(AtomicFiles.tempFor(target), victim);
        AtomicFiles.writeBytes(target, new byte[] {4});
        assertEquals("untouched", Files.readString(victim), "a planted link is removed, not written through");
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(target));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemp() throws IOException {
        Path target = Files.writeString(tmp.resolve("report.json"), "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write("new, half".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(target));
        assertFalse(Files.exists(AtomicFiles.tempFor(target)));
    }
}
