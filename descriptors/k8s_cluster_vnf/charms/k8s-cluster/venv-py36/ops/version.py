# this is a generated file

version = '1.5.5'
