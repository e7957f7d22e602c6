module github.com/credit-risk/credit-risk

go 1.26.8
