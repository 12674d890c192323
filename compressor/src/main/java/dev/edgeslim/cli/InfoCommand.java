package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code edgeslim info MODEL.cfg}: the layer table darknet prints (type, filters, size/stride, input → output,
 * params, BFLOPs) and totals. JSON fields: {@code cfg, input{width,height,channels}, layers[{index, type,
 * filters, size, stride, inputs, input[h,w,c], output[h,w,c], params, bflops}], total{layers, params,
 * bflops}, weights{file, seen, floats}} (weights only with --weights).
 */
public final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "layer table, parameters and BFLOPs of a darknet cfg";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        CliOptions options = new CliOptions("edgeslim info MODEL.cfg [--weights W] [--size S] [--json]")
                .positionalArguments()
                .value("weights", "FILE", "darknet .weights to check against the cfg")
                .value("size", "S", "input size (width=height) to compute shapes and BFLOPs at")
                .flag("json", "print machine-readable JSON instead of a table");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        if (p.positional().size() != 1) {
            throw new UsageException("expected exactly one MODEL.cfg (see --help)");
        }
        Path cfg = CliOptions.Parsed.toPath("MODEL.cfg", p.positional().get(0));
        int size = p.integer("size", 0, 32, 4096); // validate flags before touching files
        Path weightsFile = p.path("weights");
        DarknetModel model = weightsFile == null ? null : DarknetModel.load(cfg, weightsFile);
        NetworkSpec spec = model == null ? CfgParser.parse(cfg) : model.spec();
        if (size > 0) {
            spec = spec.withInputSize(size, size);
        }
        WeightStore weights = model == null ? null : model.weights();
        if (p.has("json")) {
            out.println(Json.write(toJson(cfg, spec, weightsFile, weights)));
        } else {
            printTable(spec, out);
            if (weights != null) {
                out.printf("weights: %s (%d floats, seen %d images, format %d.%d.%d) match the cfg%n", weightsFile,
                        weights.floatCount(), weights.header().seen(), weights.header().major(),
                        weights.header().minor(), weights.header().revision());
            }
        }
        return OK;
    }

    static ObjectNode toJson(Path cfg, NetworkSpec spec, Path weightsFile, WeightStore weights) {
        ObjectNode root = Json.object();
        root.put("cfg", cfg.toString());
        ObjectNode input = root.putObject("input");
        input.put("width", spec.net().width());
        input.put("height", spec.net().height());
        input.put("channels", spec.net().channels());
        ArrayNode layers = root.putArray("layers");
        for (int i = 0; i < spec.size(); i++) {
            Layer l = spec.layer(i);
            ObjectNode n = layers.addObject();
            n.put("index", i);
            n.put("type", l.section());
            if (l instanceof ConvLayer c) {
                n.put("filters", c.filters());
                n.put("size", c.size());
                n.put("stride", c.stride());
                n.put("activation", c.activation().cfgName());
            } else if (l instanceof MaxPoolLayer m) {
                n.put("size", m.size());
                n.put("stride", m.stride());
            } else if (l instanceof UpsampleLayer u) {
                n.put("stride", u.stride());
            } else if (l instanceof dev.edgeslim.detector.model.DropoutLayer d) {
                n.put("probability", d.probability());
            }
            ArrayNode ins = n.putArray("inputs");
            spec.inputsOf(i).forEach(ins::add);
            shape(n.putArray("input"), spec.shapeOf(spec.inputsOf(i).get(0)));
            shape(n.putArray("output"), spec.shapeOf(i));
            n.put("params", spec.params(i));
            n.put("bflops", spec.flops(i) / 1e9);
        }
        ObjectNode total = root.putObject("total");
        total.put("layers", spec.size());
        total.put("params", spec.totalParams());
        total.put("bflops", spec.totalFlops() / 1e9);
        if (weights != null) {
            ObjectNode w = root.putObject("weights");
            w.put("file", weightsFile.toString());
            w.put("seen", weights.header().seen());
            w.put("floats", weights.floatCount());
        }
        return root;
    }

    private static void shape(ArrayNode a, dev.edgeslim.detector.model.Shape s) {
        a.add(s.height()).add(s.width()).add(s.channels());
    }

    static void printTable(NetworkSpec spec, PrintStream out) {
        out.printf("%5s  %-10s %7s %9s  %-16s    %-16s %12s %9s%n", "layer", "type", "filters", "size/str",
                "input", "output", "params", "BFLOPs");
        for (int i = 0; i < spec.size(); i++) {
            Layer l = spec.layer(i);
            String type = l.section().equals("convolutional") ? "conv" : l.section();
            String filters = "";
            String geometry = "";
            if (l instanceof ConvLayer c) {
                filters = String.valueOf(c.filters());
                geometry = c.size() + "x" + c.size() + "/" + c.stride() + (c.groups() > 1 ? " g" + c.groups() : "");
            } else if (l instanceof MaxPoolLayer m) {
                geometry = m.size() + "x" + m.size() + "/" + m.stride();
            } else if (l instanceof UpsampleLayer u) {
                geometry = u.stride() + "x";
            } else if (l instanceof dev.edgeslim.detector.model.DropoutLayer d) {
                geometry = "p=" + d.probability();
            } else if (l instanceof RouteLayer r) {
                geometry = r.layers().stream().map(String::valueOf).collect(Collectors.joining(","))
                        + (r.groups() > 1 ? " " + (r.groupId() + 1) + "/" + r.groups() : "");
            } else if (l instanceof ShortcutLayer s) {
                geometry = "+" + s.from().stream().map(String::valueOf).collect(Collectors.joining(","));
            } else if (l instanceof YoloLayer y) {
                geometry = y.classes() + " cls";
            }
            out.printf("%5d  %-10s %7s %9s  %-16s -> %-16s %12s %9s%n", i, type, filters, geometry,
                    spec.shapeOf(spec.inputsOf(i).get(0)), spec.shapeOf(i),
                    spec.params(i) == 0 ? "" : String.format("%,d", spec.params(i)),
                    spec.flops(i) == 0 ? "" : String.format("%.3f", spec.flops(i) / 1e9));
        }
        out.printf("total: %d layers, %,d params (%.2f M), %.3f BFLOPs at %dx%d%n", spec.size(), spec.totalParams(),
                spec.totalParams() / 1e6, spec.totalFlops() / 1e9, spec.net().width(), spec.net().height());
    }
}
