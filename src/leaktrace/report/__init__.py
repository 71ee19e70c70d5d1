"""leaktrace.report"""
