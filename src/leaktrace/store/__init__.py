"""leaktrace.store"""
