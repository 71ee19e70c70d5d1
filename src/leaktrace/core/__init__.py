"""leaktrace.core"""
