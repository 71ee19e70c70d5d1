"""The version of leaktrace: a leaf module (nothing imported), read by the package metadata too."""

__version__ = "0.1.0"
