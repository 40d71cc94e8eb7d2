"""One module per figure; each has a drawing function and ``report_specs(data)``.

A drawing function returns a ``matplotlib.figure.Figure``; ``report_specs``
returns the :class:`~analysis.reportdata.FigureSpec` s the module contributes to
the report. A figure that does not apply to the data given raises
:class:`NotApplicable` with a sentence saying why; the report prints that
sentence in its place.
"""

from analysis.figures.base import NotApplicable
from analysis.figures.corridor_map import corridor_difference_map, corridor_map
from analysis.figures.difference import difference_chart
from analysis.figures.fan import fan_chart
from analysis.figures.flow_heatmap import flow_change_heatmap
from analysis.figures.hindcast import hindcast_chart
from analysis.figures.sensitivity import sensitivity_bars
from analysis.figures.settlement import settlement_areas

__all__ = [
    "NotApplicable",
    "corridor_difference_map",
    "corridor_map",
    "difference_chart",
    "fan_chart",
    "flow_change_heatmap",
    "hindcast_chart",
    "sensitivity_bars",
    "settlement_areas",
]
