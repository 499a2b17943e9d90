# dq.dot(x.T) is the outer product for column vectors; for numpy's 1-D vectors x.T is x,
# and dq.dot(x.T) is a dot product: a number.
W = [[0.1, 0.5], [-0.3, 0.8]]
x = [0.2, 0.4]
q = W.dot(x)
f = np.sum(q**2)
dq = 2 * q
dW = dq.dot(x.T)
dx = W.T.dot(dq)
