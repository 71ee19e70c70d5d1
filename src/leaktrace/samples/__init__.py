"""leaktrace.samples"""
