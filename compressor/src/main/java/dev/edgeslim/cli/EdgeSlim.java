package dev.edgeslim.cli;

import dev.edgeslim.compressor.pipeline.ConfigException;
import dev.edgeslim.detector.cfg.CfgWarnings;
import dev.edgeslim.detector.io.BadInputException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code edgeslim} entry point: dispatches to a {@link Command} and maps failures to exit codes
 * (0 ok, 1 usage, 2 bad input, 3 runtime failure). Errors are one line; {@code --verbose} adds the stack trace.
 */
public final class EdgeSlim {
    private final Map<String, Command> commands = new LinkedHashMap<>();

    public EdgeSlim() {
        // Registration order is the order of `edgeslim --help`.
        register(new DemoCommand());
        register(new InfoCommand());
        register(new CreateModelCommand());
        register(new SynthVocCommand());
        register(new ConvertDatasetCommand());
        register(new TrainCommand());
        register(new EvalCommand());
        register(new DetectCommand());
        register(new SparseTrainCommand());
        register(new PruneCommand());
        register(new SensitivityCommand());
        register(new DistillCommand());
        register(new CompressCommand());
        register(new ExportCommand());
        register(new BenchCommand());
        register(new PinModelCommand());
    }

    private void register(Command c) {
        commands.put(c.name(), c);
    }

    public static void main(String[] args) {
        int code = new EdgeSlim().run(List.of(args), System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            printUsage(args.isEmpty() ? err : out);
            return args.isEmpty() ? Command.USAGE : Command.OK;
        }
        Command command = commands.get(args.get(0));
        if (command == null) {
            err.println(BadInputException.printable("edgeslim: unknown command '" + args.get(0)
                    + "' (see edgeslim --help)"));
            return Command.USAGE;
        }
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        boolean verbose = rest.contains("--verbose");
        // every cfg a command reads reports its training-only options once, whichever class parses it
        try (CfgWarnings.Scope ignored = CfgWarnings.reportTo(err::println)) {
            return command.run(rest, out, err);
        } catch (UsageException | ConfigException e) {
            err.println(line(command, e.getMessage()));
            return Command.USAGE;
        } catch (BadInputException e) {
            err.println(line(command, e.getMessage()));
            if (verbose) {
                e.printStackTrace(err);
            }
            return Command.BAD_INPUT;
        } catch (OutOfMemoryError e) {
            err.println(line(command, "out of memory (" + e.getMessage() + "); raise -Xmx through EDGESLIM_JAVA_OPTS"));
            return Command.RUNTIME_FAILURE;
        } catch (Exception | Error e) {
            err.println(line(command, "failed: " + describe(e)));
            if (verbose) {
                e.printStackTrace(err);
            }
            return Command.RUNTIME_FAILURE;
        }
    }

    /** The one error line: whatever a message quotes from the input, it cannot break the line or drive the terminal. */
    private static String line(Command command, String message) {
        return BadInputException.printable("edgeslim " + command.name() + ": " + message);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private void printUsage(PrintStream out) {
        out.println("usage: edgeslim COMMAND [options]   (edgeslim COMMAND --help for a command's options)");
        out.println();
        out.println("commands:");
        for (Command c : commands.values()) {
            out.printf("  %-14s %s%n", c.name(), c.summary());
        }
        out.println();
        out.println("exit codes: 0 ok, 1 usage error, 2 bad input, 3 runtime failure");
    }
}
