"""leaktrace.services"""
