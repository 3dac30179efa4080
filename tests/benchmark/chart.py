"""Line charts as self-contained SVG (no plotting library): time against size, one line per variant."""

import math
from xml.sax.saxutils import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
WIDTH, HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 220, 40, 60


def _nice_ceiling(value):
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _x_position(value, values, log_x):
    low, high = min(values), max(values)
    if high == low:
        return LEFT + (WIDTH - LEFT - RIGHT) / 2.0
    if log_x:
        share = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
    else:
        share = (value - low) / float(high - low)
    return LEFT + share * (WIDTH - LEFT - RIGHT)


def _y_position(value, top_value):
    return TOP + (1 - value / top_value) * (HEIGHT - TOP - BOTTOM)


def line_chart(title, x_label, y_label, series, log_x=True):
    """SVG text of a chart. ``series``: ``{variant: [(x, y), ...]}`` (x > 0 when ``log_x``)."""
    xs = sorted(set(x for points in series.values() for x, _y in points))
    top_value = _nice_ceiling(max([y for points in series.values() for _x, y in points] or [1.0]) * 1.05)
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
             'font-family="sans-serif" font-size="12">' % (WIDTH, HEIGHT, WIDTH, HEIGHT),
             '<rect width="100%" height="100%" fill="white"/>',
             '<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>' % (LEFT, escape(title))]
    for step in range(6):
        value = top_value * step / 5.0
        y = _y_position(value, top_value)
        parts.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (LEFT, y, WIDTH - RIGHT, y))
        parts.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (LEFT - 6, y + 4, "%g" % value))
    for x in xs:
        position = _x_position(x, xs, log_x)
        parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>'
                     % (position, TOP, position, HEIGHT - BOTTOM))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                     % (position, HEIGHT - BOTTOM + 18, "{:,}".format(x)))
    parts.append('<text x="%d" y="%d" text-anchor="middle">%s</text>'
                 % ((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 16, escape(x_label)))
    parts.append('<text x="18" y="%d" text-anchor="middle" transform="rotate(-90 18 %d)">%s</text>'
                 % ((TOP + HEIGHT - BOTTOM) / 2, (TOP + HEIGHT - BOTTOM) / 2, escape(y_label)))
    for index, (variant, points) in enumerate(sorted(series.items())):
        colour = COLOURS[index % len(COLOURS)]
        coordinates = [(_x_position(x, xs, log_x), _y_position(y, top_value)) for x, y in sorted(points)]
        parts.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                     % (colour, " ".join("%.1f,%.1f" % point for point in coordinates)))
        parts += ['<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>' % (x, y, colour) for x, y in coordinates]
        legend_y = TOP + 18 * index + 8
        parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>'
                     % (WIDTH - RIGHT + 15, legend_y, WIDTH - RIGHT + 35, legend_y, colour))
        parts.append('<text x="%d" y="%d">%s</text>' % (WIDTH - RIGHT + 40, legend_y + 4, escape(variant)))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
