package dev.edgeslim.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code edgeslim bench --data VOCDIR ...}: the PASCAL VOC benchmark table ({@link VocBenchCommand}); and
 * {@code edgeslim bench SUBCOMMAND ...}: focused benchmarks, each itself a {@link Command} added with a line in the
 * constructor. Sub-commands: {@code latency} ({@link LatencyBenchCommand}). A first argument that is an option
 * means the table.
 */
public final class BenchCommand implements Command {
    private final VocBenchCommand table = new VocBenchCommand();
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
        return "benchmarks: the VOC table (mAP, size, BFLOPs, latency per model and format); latency";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty()) {
            printUsage(err);
            throw new UsageException("give --data VOCDIR --model ... for the benchmark table, or a sub-command ("
                    + String.join(", ", subcommands.keySet()) + ")");
        }
        String first = args.get(0);
        if (first.equals("--help") || first.equals("-h") || first.equals("help")) {
            printUsage(out);
            return OK;
        }
        if (first.startsWith("-")) {
            return table.run(args, out, err);
        }
        Command sub = subcommands.get(first);
        if (sub == null) {
            throw new UsageException("unknown sub-command '" + first + "' (expected options for the benchmark table,"
                    + " or one of " + String.join(", ", subcommands.keySet()) + ")");
        }
        return sub.run(args.subList(1, args.size()), out, err);
    }

    private void printUsage(PrintStream out) {
        VocBenchCommand.options().printHelp(out);
        out.println();
        out.println("sub-commands (edgeslim bench SUBCOMMAND --help):");
        for (Command c : subcommands.values()) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }
}
