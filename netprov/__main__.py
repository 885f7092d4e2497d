from netprov.cli import main

main()
