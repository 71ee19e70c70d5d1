"""leaktrace.web"""
