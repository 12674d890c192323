package dev.edgeslim.detector.data;

import dev.edgeslim.detector.image.ImageLoader;
import dev.edgeslim.detector.io.BadInputException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one PASCAL VOC annotation XML, refusing anything hostile or inconsistent with a one-line
 * {@link BadInputException} naming the file.
 *
 * <p>Hardening: the file size is checked before reading; the XML parser has secure processing on, refuses any
 * DOCTYPE (so no external entities — XXE — and no entity expansion — "billion laughs" — can happen), never loads
 * DTDs or schemas, has XInclude and entity expansion off, resolves no entity, and refuses elements nested deeper
 * than {@value #MAX_DEPTH} levels. The declared image size is checked
 * against {@link ImageLoader#DEFAULT_MAX_PIXELS} before objects are read, and the object count against
 * {@link DataLimits#MAX_OBJECTS}. Every coordinate must be a finite number and every class name in the class list.
 * A missing {@code <size>} is width and height 0 (the image header tells them); boxes are returned as written, for
 * {@link VocDataset} to fit them to the image (clipped at the border, zero-area ones skipped and counted).
 *
 * <p>Not thread-safe (holds one DocumentBuilder); use one parser per thread.
 */
public final class VocAnnotationParser {
    /** What an annotation says, before the image file is resolved. {@code filename} may be null. */
    public record Parsed(String filename, int width, int height, int depth, List<VocObject> objects) {
    }

    /** Deepest element nesting accepted. */
    static final int MAX_DEPTH = 64;

    private final VocClasses classes;
    private final DocumentBuilder builder;

    public VocAnnotationParser(VocClasses classes) {
        this.classes = classes;
        this.builder = hardenedBuilder();
    }

    static DocumentBuilder hardenedBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            // A VOC annotation is 4 levels deep; without a bound, a 1 MB file nesting 140000 elements inside
            // <filename> overflows the stack when its text is read (the JDK's default depth limit is none).
            f.setAttribute("http://www.oracle.com/xml/jaxp/properties/maxElementDepth", String.valueOf(MAX_DEPTH));
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            f.setValidating(false);
            DocumentBuilder b = f.newDocumentBuilder();
            // Belt and braces: even if a DOCTYPE got through, no entity is ever fetched.
            b.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity '" + systemId + "' refused");
            });
            // Without a handler the JDK parser prints "[Fatal Error]" lines to stderr before throwing.
            b.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b;
        } catch (ParserConfigurationException | IllegalArgumentException e) {
            throw new IllegalStateException("this JDK's XML parser does not support the required hardening", e);
        }
    }

    public Parsed parse(Path xml) {
        byte[] bytes;
        try {
            long size = Files.size(xml);
            if (size > DataLimits.MAX_ANNOTATION_BYTES) {
                throw new BadInputException(xml, "annotation is " + size + " bytes, over the "
                        + DataLimits.MAX_ANNOTATION_BYTES + "-byte limit (edgeslim.limit.maxAnnotationBytes)");
            }
            bytes = Files.readAllBytes(xml);
        } catch (NoSuchFileException e) {
            throw new BadInputException(xml, "annotation file does not exist");
        } catch (IOException e) {
            throw new BadInputException(xml, "cannot read annotation: " + e.getMessage());
        }
        if (bytes.length > DataLimits.MAX_ANNOTATION_BYTES) {
            throw new BadInputException(xml, "annotation grew over the size limit while being read");
        }
        Document doc = parseXml(xml, bytes);
        return read(xml, doc.getDocumentElement());
    }

    /** The class names (the {@code <object><name>} texts) an annotation uses, without checking anything else. */
    public java.util.Set<String> objectNames(Path xml) {
        byte[] bytes;
        try {
            if (Files.size(xml) > DataLimits.MAX_ANNOTATION_BYTES) {
                return java.util.Set.of();
            }
            bytes = Files.readAllBytes(xml);
        } catch (IOException e) {
            return java.util.Set.of();
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        Element root = parseXml(xml, bytes).getDocumentElement();
        for (Element o : children(root, "object")) {
            Element n = child(o, "name");
            if (n != null && !n.getTextContent().isBlank()) {
                names.add(n.getTextContent().strip());
            }
        }
        return names;
    }

    private Document parseXml(Path xml, byte[] bytes) {
        try {
            InputSource source = new InputSource(new ByteArrayInputStream(bytes));
            source.setSystemId((String) null);
            return builder.parse(source);
        } catch (SAXParseException e) {
            throw new BadInputException(xml, Math.max(e.getLineNumber(), 0), describe(e));
        } catch (SAXException e) {
            throw new BadInputException(xml, "malformed XML: " + oneLine(e.getMessage()));
        } catch (IOException e) {
            throw new BadInputException(xml, "cannot parse annotation: " + oneLine(e.getMessage()));
        } catch (RuntimeException e) {
            // The JDK parser can throw unchecked errors on pathological input; never let them escape raw.
            throw new BadInputException(xml, "malformed XML: " + e.getClass().getSimpleName() + " "
                    + oneLine(e.getMessage()));
        }
    }

    private static String describe(SAXParseException e) {
        String m = oneLine(e.getMessage());
        if (m.contains("DOCTYPE")) {
            return "DOCTYPE declarations are refused in annotations (they enable external-entity and "
                    + "entity-expansion attacks)";
        }
        if (m.toLowerCase().contains("entity")) {
            return "entity references are refused in annotations: " + m;
        }
        return "malformed XML: " + m;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    private Parsed read(Path xml, Element root) {
        if (!"annotation".equals(root.getTagName())) {
            throw new BadInputException(xml, "root element is <" + root.getTagName() + ">, expected <annotation>");
        }
        Element size = child(root, "size");
        // labelImg, CVAT and Roboflow exports may leave <size> out: the image's own header gives it (width 0 here)
        boolean sized = size != null && child(size, "width") != null && child(size, "height") != null;
        int width = sized ? positiveInt(xml, size, "width") : 0;
        int height = sized ? positiveInt(xml, size, "height") : 0;
        if ((long) width * height > ImageLoader.DEFAULT_MAX_PIXELS) {
            throw new BadInputException(xml, "declared image size " + width + "x" + height + " exceeds the "
                    + ImageLoader.DEFAULT_MAX_PIXELS + "-pixel limit (edgeslim.limit.maxImagePixels)");
        }
        int depth = 3;
        if (size != null && child(size, "depth") != null && !child(size, "depth").getTextContent().isBlank()) {
            depth = positiveInt(xml, size, "depth");
            if (depth > 4) {
                throw new BadInputException(xml, "<depth> " + depth + " is not an image depth (1..4)");
            }
        }
        String filename = null;
        Element fn = child(root, "filename");
        if (fn != null && !fn.getTextContent().isBlank()) {
            filename = fn.getTextContent().strip();
            String problem = SafePaths.problemWithName(filename);
            if (problem != null) {
                throw new BadInputException(xml, "<filename> " + problem);
            }
        }
        List<Element> objectElements = children(root, "object");
        if (objectElements.size() > DataLimits.MAX_OBJECTS) {
            throw new BadInputException(xml, objectElements.size() + " objects, over the " + DataLimits.MAX_OBJECTS
                    + "-object limit (edgeslim.limit.maxObjectsPerImage)");
        }
        List<VocObject> objects = new ArrayList<>(objectElements.size());
        for (int i = 0; i < objectElements.size(); i++) {
            objects.add(readObject(xml, objectElements.get(i), i + 1, width, height));
        }
        return new Parsed(filename, width, height, depth, objects);
    }

    private VocObject readObject(Path xml, Element o, int number, int width, int height) {
        Element nameElement = child(o, "name");
        String name = nameElement == null ? "" : nameElement.getTextContent().strip();
        String what = "object " + number + (name.isEmpty() ? "" : " ('" + SafePaths.printable(name) + "')");
        if (name.isEmpty()) {
            throw new BadInputException(xml, what + ": missing <name>");
        }
        int classId = classes.indexOf(name);
        if (classId < 0) {
            throw new UnknownClassException(xml, what + ": unknown class name (not among the " + classes.size()
                    + " classes of the class list)");
        }
        Element box = child(o, "bndbox");
        if (box == null) {
            throw new BadInputException(xml, what + ": missing <bndbox>");
        }
        double x1 = coordinate(xml, what, box, "xmin");
        double y1 = coordinate(xml, what, box, "ymin");
        double x2 = coordinate(xml, what, box, "xmax");
        double y2 = coordinate(xml, what, box, "ymax");
        boolean difficult = flag(xml, what, o, "difficult");
        boolean truncated = flag(xml, what, o, "truncated");
        return new VocObject(classId, name, x1, y1, x2, y2, difficult, truncated);
    }

    private static double coordinate(Path xml, String what, Element box, String tag) {
        Element e = child(box, tag);
        if (e == null) {
            throw new BadInputException(xml, what + ": missing <" + tag + ">");
        }
        String text = e.getTextContent().strip();
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException ex) {
            throw new BadInputException(xml, what + ": <" + tag + "> '" + SafePaths.printable(text)
                    + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new BadInputException(xml, what + ": <" + tag + "> '" + text + "' is not a finite number");
        }
        return v;
    }

    private static boolean flag(Path xml, String what, Element o, String tag) {
        Element e = child(o, tag);
        if (e == null) {
            return false;
        }
        String text = e.getTextContent().strip();
        switch (text) {
            case "", "0":
                return false;
            case "1":
                return true;
            default:
                throw new BadInputException(xml, what + ": <" + tag + "> must be 0 or 1, got '"
                        + SafePaths.printable(text) + "'");
        }
    }

    private static int positiveInt(Path xml, Element parent, String tag) {
        Element e = child(parent, tag);
        if (e == null) {
            throw new BadInputException(xml, "missing <size><" + tag + ">");
        }
        String text = e.getTextContent().strip();
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException ex) {
            throw new BadInputException(xml, "<size><" + tag + "> '" + SafePaths.printable(text)
                    + "' is not a number");
        }
        if (!(v >= 1) || v != Math.rint(v) || v > Integer.MAX_VALUE) {
            throw new BadInputException(xml, "<size><" + tag + "> '" + SafePaths.printable(text)
                    + "' is not a positive whole number");
        }
        return (int) v;
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }
}
