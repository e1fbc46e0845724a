"""Containers at run time: the init layer, the read-write layer, mounts, `docker diff`, and storage drivers."""

from .drivers import (DRIVERS, DiskDir, DiskEntry, DiskFile, DiskUsage, DriverLayout, disk_usage,
                      graph_driver_data, layout)

__all__ = ["DRIVERS", "DiskDir", "DiskEntry", "DiskFile", "DiskUsage", "DriverLayout", "disk_usage",
           "graph_driver_data", "layout"]
