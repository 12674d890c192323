package dev.edgeslim.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code edgeslim bench SUBCOMMAND ...}: benchmarks. Each sub-command is itself a {@link Command}; add one with a
 * line in the constructor. Sub-commands: {@code latency} ({@link LatencyBenchCommand}).
 */
public final class BenchCommand implements Command {
    private final Map<String, Command> subcommands = new LinkedHashMap<>();

    public BenchCommand() {
        add(new LatencyBenchCommand());
        add(new SparsityBenchCommand());
    }

    private void add(Command c) {
        subcommands.put(c.name(), c);
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmarks: latency (TF Java vs OpenCV DNN)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty()) {
            printUsage(err);
            throw new UsageException("missing sub-command (" + String.join(", ", subcommands.keySet()) + ")");
        }
        String first = args.get(0);
        if (first.equals("--help") || first.equals("-h") || first.equals("help")) {
            printUsage(out);
            return OK;
        }
        Command sub = subcommands.get(first);
        if (sub == null) {
            throw new UsageException("unknown sub-command '" + first + "' (expected one of "
                    + String.join(", ", subcommands.keySet()) + ")");
        }
        return sub.run(args.subList(1, args.size()), out, err);
    }

    private void printUsage(PrintStream out) {
        out.println("usage: edgeslim bench SUBCOMMAND [options]   (edgeslim bench SUBCOMMAND --help)");
        out.println();
        out.println("sub-commands:");
        for (Command c : subcommands.values()) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }
}
