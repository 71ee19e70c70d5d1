"""leaktrace.index"""
