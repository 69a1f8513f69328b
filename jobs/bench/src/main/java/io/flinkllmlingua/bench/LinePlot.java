package io.flinkllmlingua.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart drawn with Java2D (headless) into a PNG: one or more series against a linear or log10 x
 * axis, y from zero. Enough for the scaling sweeps, with no charting dependency.
 */
public final class LinePlot {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd)};
    private static final int W = 800;
    private static final int H = 500;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;

    /** One line: x and y values of the same length. */
    public record Series(String name, double[] x, double[] y) {}

    private LinePlot() {}

    public static void write(Path png, String title, String xLabel, String yLabel, List<Series> series, boolean logX)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            double xMin = Double.POSITIVE_INFINITY;
            double xMax = Double.NEGATIVE_INFINITY;
            double yMax = 0;
            for (Series s : series) {
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isFinite(s.y()[i])) {
                        continue;
                    }
                    double x = tx(s.x()[i], logX);
                    xMin = Math.min(xMin, x);
                    xMax = Math.max(xMax, x);
                    yMax = Math.max(yMax, s.y()[i]);
                }
            }
            if (!Double.isFinite(xMin)) {
                xMin = 0;
                xMax = 1;
            }
            if (xMax == xMin) {
                xMax = xMin + 1;
            }
            yMax = yMax <= 0 ? 1 : yMax * 1.1;
            int pw = W - LEFT - RIGHT;
            int ph = H - TOP - BOTTOM;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LEFT, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawRect(LEFT, TOP, pw, ph);
            for (int k = 0; k <= 5; k++) {
                double yv = yMax * k / 5;
                int py = TOP + ph - (int) Math.round(ph * k / 5.0);
                g.setColor(new Color(0xdddddd));
                g.drawLine(LEFT + 1, py, LEFT + pw - 1, py);
                g.setColor(Color.BLACK);
                String label = format(yv);
                g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 4);
            }
            // x ticks at the data points of the first series (sweeps share their x values)
            if (!series.isEmpty()) {
                for (double xv : series.get(0).x()) {
                    int px = LEFT + (int) Math.round(pw * (tx(xv, logX) - xMin) / (xMax - xMin));
                    g.drawLine(px, TOP + ph, px, TOP + ph + 5);
                    String label = format(xv);
                    g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, TOP + ph + 20);
                }
            }
            g.drawString(xLabel + (logX ? " (log scale)" : ""), LEFT + pw / 2 - 60, H - 20);
            Graphics2D gy = (Graphics2D) g.create();
            gy.rotate(-Math.PI / 2);
            gy.drawString(yLabel, -(TOP + ph / 2 + gy.getFontMetrics().stringWidth(yLabel) / 2), 16);
            gy.dispose();
            g.setStroke(new BasicStroke(2f));
            for (int si = 0; si < series.size(); si++) {
                Series s = series.get(si);
                g.setColor(COLORS[si % COLORS.length]);
                int prevX = -1;
                int prevY = -1;
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isFinite(s.y()[i])) {
                        continue;
                    }
                    int px = LEFT + (int) Math.round(pw * (tx(s.x()[i], logX) - xMin) / (xMax - xMin));
                    int py = TOP + ph - (int) Math.round(ph * s.y()[i] / yMax);
                    g.fillOval(px - 4, py - 4, 8, 8);
                    if (prevX >= 0) {
                        g.drawLine(prevX, prevY, px, py);
                    }
                    prevX = px;
                    prevY = py;
                }
                g.drawString(s.name(), LEFT + pw - 220, TOP + 20 + 16 * si);
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", png.toFile());
    }

    private static double tx(double x, boolean logX) {
        return logX ? Math.log10(Math.max(x, 1e-12)) : x;
    }

    static String format(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
