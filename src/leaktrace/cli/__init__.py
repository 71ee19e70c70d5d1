"""leaktrace.cli"""
