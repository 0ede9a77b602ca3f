"""Timings of OSM operations the way the paper measured them: from OSM's Kafka bus
(request record -> completion record, paired by op id), with statistics, reports and plots."""
