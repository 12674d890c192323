package dev.edgeslim.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Commons CLI glue shared by every command: --help, --json, --verbose, parsing with usage errors, and typed
 * accessors whose messages name the flag.
 */
public final class CliOptions {
    private final String usage;
    private final Options options = new Options();
    private final Set<String> repeatableNames = new HashSet<>();
    private boolean positionalArguments;

    public CliOptions(String usage) {
        this.usage = usage;
        options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
        options.addOption(Option.builder().longOpt("verbose").desc("print stack traces on errors").build());
    }

    /** Adds a flag taking a value. */
    public CliOptions value(String longName, String argName, String description) {
        options.addOption(Option.builder().longOpt(longName).hasArg().argName(argName).desc(description).build());
        return this;
    }

    /** Adds a required flag taking a value. */
    public CliOptions required(String longName, String argName, String description) {
        return value(longName, argName, description + " (required)");
    }

    /** Adds a boolean switch. */
    public CliOptions flag(String longName, String description) {
        options.addOption(Option.builder().longOpt(longName).desc(description).build());
        return this;
    }

    /**
     * The command takes arguments besides its flags (e.g. {@code info MODEL.cfg}); without this, any such argument is
     * a usage error, so that a stray word (a value without its flag) is never silently ignored.
     */
    public CliOptions positionalArguments() {
        positionalArguments = true;
        return this;
    }

    /** Adds a repeatable flag taking a value. */
    public CliOptions repeatable(String longName, String argName, String description) {
        repeatableNames.add(longName);
        options.addOption(Option.builder().longOpt(longName).hasArg().argName(argName).desc(description).build());
        return this;
    }

    /** Parses, or returns null after printing help when --help was given. */
    public Parsed parse(List<String> args, PrintStream out) {
        try {
            CommandLine cl = new DefaultParser().parse(options, args.toArray(String[]::new));
            // commons-cli keeps every occurrence and the accessors read the first: a flag given twice would
            // silently ignore the second value (e.g. a script appending --epochs 2 to a line with --epochs 1)
            Set<String> seen = new HashSet<>();
            for (Option o : cl.getOptions()) {
                String name = o.getLongOpt() != null ? o.getLongOpt() : o.getOpt();
                if (!repeatableNames.contains(name) && !seen.add(name)) {
                    throw new UsageException("--" + name + " is given more than once (see --help)");
                }
            }
            if (cl.hasOption("help")) {
                printHelp(out);
                return null;
            }
            if (!positionalArguments && !cl.getArgList().isEmpty()) {
                throw new UsageException("unexpected argument '" + cl.getArgList().get(0) + "' (see --help)");
            }
            return new Parsed(cl);
        } catch (ParseException e) {
            throw new UsageException(e.getMessage() + " (see --help)");
        }
    }

    public void printHelp(PrintStream out) {
        PrintWriter w = new PrintWriter(out);
        new HelpFormatter().printHelp(w, 100, usage, null, options, 2, 2, null, false);
        w.flush();
    }

    /** A parsed command line with typed, validated accessors. */
    public static final class Parsed {
        private final CommandLine cl;

        Parsed(CommandLine cl) {
            this.cl = cl;
        }

        public boolean has(String name) {
            return cl.hasOption(name);
        }

        public String string(String name, String fallback) {
            return cl.getOptionValue(name, fallback);
        }

        public String required(String name) {
            String v = cl.getOptionValue(name);
            if (v == null) {
                throw new UsageException("missing --" + name + " (see --help)");
            }
            return v;
        }

        public Path requiredPath(String name) {
            return toPath("--" + name, required(name));
        }

        public Path path(String name) {
            String v = cl.getOptionValue(name);
            return v == null ? null : toPath("--" + name, v);
        }

        /** A path argument; one the file system cannot name (e.g. with a NUL character) is a usage error. */
        public static Path toPath(String what, String value) {
            try {
                return Path.of(value);
            } catch (java.nio.file.InvalidPathException e) {
                throw new UsageException(what + " is not a valid path: " + e.getReason());
            }
        }

        public List<String> values(String name) {
            String[] v = cl.getOptionValues(name);
            return v == null ? List.of() : List.of(v);
        }

        /**
         * Every value given to any of {@code names}, in command-line order, as (flag, value) pairs: for repeatable
         * flags whose relative order matters (e.g. the first model of a benchmark is its baseline).
         */
        public List<Map.Entry<String, String>> occurrences(String... names) {
            List<String> wanted = List.of(names);
            List<Map.Entry<String, String>> out = new ArrayList<>();
            for (Option o : cl.getOptions()) {
                if (o.getLongOpt() != null && wanted.contains(o.getLongOpt()) && o.getValue() != null) {
                    out.add(Map.entry(o.getLongOpt(), o.getValue()));
                }
            }
            return out;
        }

        public int integer(String name, int fallback, int min, int max) {
            String v = cl.getOptionValue(name);
            if (v == null) {
                return fallback;
            }
            try {
                int i = Integer.parseInt(v.trim());
                if (i < min || i > max) {
                    throw new UsageException("--" + name + " must be within " + min + ".." + max + ", got " + i);
                }
                return i;
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
            }
        }

        public double number(String name, double fallback, double min, double max) {
            String v = cl.getOptionValue(name);
            if (v == null) {
                return fallback;
            }
            try {
                double d = Double.parseDouble(v.trim());
                if (!(d >= min && d <= max)) {
                    throw new UsageException("--" + name + " must be within " + min + ".." + max + ", got " + v);
                }
                return d;
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " must be a number, got '" + v + "'");
            }
        }

        /** Positional arguments (those not belonging to a flag). */
        public List<String> positional() {
            return cl.getArgList();
        }
    }
}
