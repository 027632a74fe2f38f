module kubectl-mesh/scripts/analyzer-cases

go 1.26
