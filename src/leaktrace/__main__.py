from leaktrace.cli.app import main

main()
